package campaigns

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
)

// Task is an outbound task in an agent's desk: a campaign contact to
// preview, or a call an outreach rule asked the customer's relationship
// manager to make.
type Task struct {
	ID           int64      `json:"id"`
	Kind         string     `json:"kind"` // preview_call or triggered_call
	AgentID      int64      `json:"agent_id"`
	CustomerID   int64      `json:"customer_id"`
	CustomerName string     `json:"customer_name"`
	Tier         string     `json:"tier"`
	CampaignID   int64      `json:"campaign_id,omitempty"`
	ContactID    int64      `json:"contact_id,omitempty"`
	EventID      int64      `json:"event_id,omitempty"`
	EventKind    string     `json:"event_kind,omitempty"`
	Amount       string     `json:"amount,omitempty"`
	Title        string     `json:"title"`
	DueAt        time.Time  `json:"due_at"`
	State        string     `json:"state"`
	Disposition  string     `json:"disposition,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	DoneAt       *time.Time `json:"done_at,omitempty"`
}

const taskSelect = `SELECT t.id, t.kind, t.agent_id, t.customer_id, coalesce(nullif(c.name_zh, ''), c.name), c.value_tier,
	coalesce(t.campaign_id, 0), coalesce(t.contact_id, 0), coalesce(t.event_id, 0), coalesce(e.kind, ''),
	coalesce(e.amount::text, ''), t.title, t.due_at, t.state, t.disposition, t.created_at, t.done_at
	FROM outbound_tasks t JOIN customers c ON c.id = t.customer_id LEFT JOIN customer_events e ON e.id = t.event_id
	WHERE `

func (s *Store) tasks(ctx context.Context, where string, args ...any) ([]Task, error) {
	rows, err := s.pool.Query(ctx, taskSelect+where+` ORDER BY t.due_at, t.id LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("campaigns: tasks: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Task, error) {
		var t Task
		err := r.Scan(&t.ID, &t.Kind, &t.AgentID, &t.CustomerID, &t.CustomerName, &t.Tier, &t.CampaignID, &t.ContactID,
			&t.EventID, &t.EventKind, &t.Amount, &t.Title, &t.DueAt, &t.State, &t.Disposition, &t.CreatedAt, &t.DoneAt)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("campaigns: tasks: %w", err)
	}
	return out, nil
}

// Tasks returns agent's open tasks (open or being dialled), soonest due
// first: what the desk lists.
func (s *Store) Tasks(ctx context.Context, agentID int64) ([]Task, error) {
	return s.tasks(ctx, `t.agent_id = $1 AND t.state IN ('open', 'dialing')`, agentID)
}

// Task returns task id, or ErrNotFound.
func (s *Store) Task(ctx context.Context, id int64) (*Task, error) {
	ts, err := s.tasks(ctx, `t.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, switchboard.Errorf(switchboard.ErrNotFound, "no task %d", id)
	}
	return &ts[0], nil
}

// lockTask locks task id for agent, who must own it (or supervise).
func lockTask(ctx context.Context, tx pgx.Tx, agent *switchboard.Agent, id int64) (Task, error) {
	var t Task
	err := tx.QueryRow(ctx, `SELECT id, kind, agent_id, customer_id, coalesce(campaign_id, 0), coalesce(contact_id, 0), state
		FROM outbound_tasks WHERE id = $1 FOR UPDATE`, id).
		Scan(&t.ID, &t.Kind, &t.AgentID, &t.CustomerID, &t.CampaignID, &t.ContactID, &t.State)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && t.AgentID != agent.ID && !agent.Can(switchboard.RoleSupervisor, switchboard.RoleAdmin)) {
		return t, switchboard.Errorf(switchboard.ErrNotFound, "no task %d in your desk", id)
	}
	return t, err
}

// DialTask calls task id's customer for agent, after the gates: the
// agent's preview or triggered call. A refused call is recorded as a skip
// and returned as ErrConflict naming the reason.
func (d *Dialer) DialTask(ctx context.Context, agent *switchboard.Agent, id int64) (attemptID int64, err error) {
	var cl Claim
	var from string
	var r Reason
	err = d.store.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		t, err := lockTask(ctx, tx, agent, id)
		if err != nil {
			return err
		}
		if t.State != "open" {
			return switchboard.Errorf(switchboard.ErrConflict, "task %d is %s", id, t.State)
		}
		var c *Campaign
		if t.CampaignID != 0 {
			if c, err = scanCampaign(tx.QueryRow(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = $1`, t.CampaignID)); err != nil {
				return err
			}
			from = c.CallerID
		}
		cl, r, err = startTaskAttempt(ctx, tx, now, d.cfg, t, c)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("campaigns: dial task %d: %w", id, err)
	}
	if r != ReasonNone {
		return 0, switchboard.Errorf(switchboard.ErrConflict, "the call may not be made now: %s", r)
	}
	return cl.AttemptID, d.place(ctx, from, cl)
}

// startTaskAttempt runs the gates for task t on the customer's number now
// (as claimNext does) and records the attempt (or the skip). A task's call counts against the frequency cap only when it
// is a marketing campaign's preview.
func startTaskAttempt(ctx context.Context, tx pgx.Tx, now time.Time, cfg DialerConfig, t Task, c *Campaign) (Claim, Reason, error) {
	cl := Claim{ContactID: t.ContactID, CustomerID: t.CustomerID}
	attempts := 0
	var copied string
	err := tx.QueryRow(ctx, `SELECT coalesce(u.phone, ''), coalesce(k.attempts, 0), coalesce(k.phone, '')
		FROM customers u LEFT JOIN campaign_contacts k ON k.id = $2 WHERE u.id = $1`, t.CustomerID, t.ContactID).
		Scan(&cl.Phone, &attempts, &copied)
	if err != nil {
		return cl, "", err
	}
	if t.ContactID != 0 {
		if err := contactNumber(ctx, tx, t.ContactID, copied, cl.Phone); err != nil {
			return cl, "", err
		}
	}
	marketing := c != nil
	req := Request{CustomerID: t.CustomerID, Phone: cl.Phone, Channel: switchboard.ChannelVoice, Marketing: marketing, Campaign: c, Attempts: attempts}
	r, next, err := cfg.Gate.check(ctx, tx, now, req)
	if err == nil && r == ReasonNone {
		err = tx.QueryRow(ctx, `INSERT INTO outreach_attempts (campaign_id, contact_id, task_id, customer_id, phone, channel,
				marketing, at, result, live, node)
			VALUES ($1, $2, $3, $4, $5, 'voice', $6, $7, 'dialing', true, $8)
			ON CONFLICT (customer_id) WHERE live DO NOTHING RETURNING id`,
			nilIfZero(t.CampaignID), nilIfZero(t.ContactID), t.ID, t.CustomerID, cl.Phone, marketing, now, cfg.Node).Scan(&cl.AttemptID)
		if errors.Is(err, pgx.ErrNoRows) {
			r, err = ReasonInProgress, nil
		}
	}
	if err != nil {
		return cl, "", err
	}
	if r != ReasonNone {
		return cl, r, taskSkip(ctx, tx, now, cfg.Node, t, cl.Phone, marketing, r, next)
	}
	if _, err := tx.Exec(ctx, `UPDATE outbound_tasks SET state = 'dialing' WHERE id = $1`, t.ID); err != nil {
		return cl, "", err
	}
	_, err = tx.Exec(ctx, `UPDATE campaign_contacts SET state = 'dialing', attempts = attempts + 1, updated_at = $2 WHERE id = $1`, t.ContactID, now)
	return cl, ReasonNone, err
}

// taskSkip records the gates' refusal. A preview contact refused for good
// (no time when it may be made, next is zero: an opt-out, the DNC list) is
// finished with the reason and its task cancelled, so the agent's desk is
// free for the campaign's next contact; a refusal for now (outside the
// window) leaves the task for the agent to dial later.
func taskSkip(ctx context.Context, tx pgx.Tx, now time.Time, node string, t Task, phone string, marketing bool, r Reason, next time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO outreach_attempts (campaign_id, contact_id, task_id, customer_id, phone, channel,
			marketing, at, result, reason, node)
		VALUES ($1, $2, $3, $4, $5, 'voice', $6, $7, 'skipped', $8, $9)`,
		nilIfZero(t.CampaignID), nilIfZero(t.ContactID), t.ID, t.CustomerID, phone, marketing, now, r, node)
	if err != nil || t.ContactID == 0 || !next.IsZero() {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE outbound_tasks SET state = 'cancelled', done_at = $2 WHERE id = $1`, t.ID, now); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE campaign_contacts SET state = 'failed', outcome = $2, updated_at = $3 WHERE id = $1`,
		t.ContactID, r, now)
	return err
}
