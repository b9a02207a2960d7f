package campaigns

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"switchboard/pgdb"
)

// Results are a campaign's live figures, for the wallboard and reports.
type Results struct {
	CampaignID  int64          `json:"campaign_id"`
	State       State          `json:"state"`
	Contacts    int            `json:"contacts"`
	Remaining   int            `json:"remaining"` // pending, dialling or with an agent
	Dialled     int            `json:"dialled"`   // calls placed or texts sent
	Connected   int            `json:"connected"` // calls an agent took
	Abandoned   int            `json:"abandoned"`
	AbandonRate float64        `json:"abandon_rate"` // of calls a person answered
	Delivered   int            `json:"delivered"`
	Conversions int            `json:"conversions"` // sales
	Interested  int            `json:"interested"`
	Skipped     map[string]int `json:"skipped"` // by reason
	Outcomes    map[string]int `json:"outcomes"`
	At          time.Time      `json:"at"`
}

// Results returns campaign id's figures now.
func (s *Store) Results(ctx context.Context, id int64) (*Results, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &Results{CampaignID: id, State: c.State, Skipped: map[string]int{}, Outcomes: map[string]int{}, At: s.Now()}
	var answered int
	err = s.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE result <> 'skipped'),
			count(*) FILTER (WHERE result = 'connected' OR agent_at IS NOT NULL),
			count(*) FILTER (WHERE result = 'abandoned'),
			count(*) FILTER (WHERE answered_by IN ('human', 'unknown') OR (answered_at IS NOT NULL AND answered_by = '')),
			count(*) FILTER (WHERE result = 'delivered')
		FROM outreach_attempts WHERE campaign_id = $1`, id).Scan(&r.Dialled, &r.Connected, &r.Abandoned, &answered, &r.Delivered)
	if err != nil {
		return nil, fmt.Errorf("campaigns: results of %d: %w", id, err)
	}
	if answered > 0 {
		r.AbandonRate = float64(r.Abandoned) / float64(answered)
	}
	if err := s.countInto(ctx, r.Skipped, `SELECT reason, count(*) FROM outreach_attempts
		WHERE campaign_id = $1 AND result = 'skipped' GROUP BY reason`, id); err != nil {
		return nil, err
	}
	// A callback that could not be made (no attempts left) is finished:
	// it counts under its outcome, not as a callback still to come.
	if err := s.countInto(ctx, r.Outcomes, `SELECT CASE WHEN outcome = '`+OutcomeCallbackNoAttempts+`' THEN outcome
			WHEN disposition <> '' THEN disposition
			WHEN state IN ('pending', 'dialing', 'offered') THEN state ELSE coalesce(nullif(outcome, ''), state) END, count(*)
		FROM campaign_contacts WHERE campaign_id = $1 GROUP BY 1`, id); err != nil {
		return nil, err
	}
	for k, n := range r.Outcomes {
		r.Contacts += n
		if k == "pending" || k == "dialing" || k == "offered" || k == Callback {
			r.Remaining += n
		}
	}
	r.Conversions, r.Interested = r.Outcomes[Sale], r.Outcomes[Interested]
	return r, nil
}

func (s *Store) countInto(ctx context.Context, m map[string]int, sql string, id int64) error {
	rows, err := s.pool.Query(ctx, sql, id)
	if err != nil {
		return fmt.Errorf("campaigns: results of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		m[k] = n
	}
	return rows.Err()
}

// ExportCSV writes one line per contact of campaign id: its state, attempts,
// outcome and disposition. Phone numbers are masked but for the last four
// digits: the export leaves the bank's systems.
func (s *Store) ExportCSV(ctx context.Context, id, byAgent int64, w io.Writer) error {
	if _, err := s.Get(ctx, id); err != nil {
		return err
	}
	// A list of customers with their numbers leaves the bank: who took it,
	// when, and how many rows, before the first row is written.
	_, err := s.pool.Exec(ctx, `INSERT INTO audit_log (at, agent_id, action, reason, detail)
		VALUES ($1, $2, 'campaign.export', 'export.csv', jsonb_build_object('campaign_id', $3::bigint,
			'contacts', (SELECT count(*) FROM campaign_contacts WHERE campaign_id = $3)))`, s.now().UTC(), byAgent, id)
	if err != nil {
		return fmt.Errorf("campaigns: export %d: audit: %w", id, pgdb.FormatError(err))
	}
	rows, err := s.pool.Query(ctx, `SELECT c.id, c.customer_id, u.name, c.phone, c.state, c.attempts, c.outcome,
			c.disposition, c.callback_at, (SELECT max(at) FROM outreach_attempts a WHERE a.contact_id = c.id AND a.result <> 'skipped')
		FROM campaign_contacts c JOIN customers u ON u.id = c.customer_id WHERE c.campaign_id = $1 ORDER BY c.id`, id)
	if err != nil {
		return fmt.Errorf("campaigns: export %d: %w", id, err)
	}
	defer rows.Close()
	out := csv.NewWriter(w)
	out.Write([]string{"contact_id", "customer_id", "name", "phone", "state", "attempts", "outcome", "disposition", "callback_at", "last_attempt_at"})
	for rows.Next() {
		var cid, cust int64
		var name, phone, state, outcome, disp string
		var attempts int
		var callback, last *time.Time
		if err := rows.Scan(&cid, &cust, &name, &phone, &state, &attempts, &outcome, &disp, &callback, &last); err != nil {
			return fmt.Errorf("campaigns: export %d: %w", id, err)
		}
		out.Write(inertCells(strconv.FormatInt(cid, 10), strconv.FormatInt(cust, 10), name, maskPhone(phone), state,
			strconv.Itoa(attempts), outcome, disp, stamp(callback), stamp(last)))
	}
	out.Flush()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("campaigns: export %d: %w", id, err)
	}
	return out.Error()
}

// inertCells makes each cell safe to open in a spreadsheet: one that starts
// with = + - @ (or a tab or carriage return, which some spreadsheets skip
// before reading a formula) gets a leading apostrophe, so that a customer
// named "=HYPERLINK(…)" is shown as text, never run as a formula (OWASP's
// advice on CSV injection). A phone number reads "'+86…" as a result.
func inertCells(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

func maskPhone(p string) string {
	if len(p) <= 4 {
		return p
	}
	b := []byte(p)
	for i := 1; i < len(b)-4; i++ {
		b[i] = '*'
	}
	return string(b)
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
