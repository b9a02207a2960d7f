package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// EventKinds are the customer events the bank's systems send.
var EventKinds = []string{"large_withdrawal", "large_deposit", "deposit_maturity", "assets_dropped", "birthday", "complaint_closed"}

// Event is one customer event from the bank's systems. ExternalID is the
// sender's id: a resent event is recognised and recorded once.
type Event struct {
	ID         int64          `json:"id,omitempty"`
	CustomerID int64          `json:"customer_id"`
	Kind       string         `json:"kind"`
	Amount     string         `json:"amount,omitempty"` // a decimal, e.g. "800000.00"
	Currency   string         `json:"currency,omitempty"`
	OccurredAt time.Time      `json:"occurred_at"`
	Source     string         `json:"source,omitempty"`
	ExternalID string         `json:"external_id"`
	Data       map[string]any `json:"data,omitempty"`
}

var decimal = regexp.MustCompile(`^-?[0-9]{1,16}(\.[0-9]{1,2})?$`)

func (e *Event) validate(now time.Time) error {
	e.ExternalID, e.Source = strings.TrimSpace(e.ExternalID), strings.TrimSpace(e.Source)
	if e.Currency == "" {
		e.Currency = "CNY"
	}
	switch {
	case e.CustomerID <= 0:
		return invalid("an event needs a customer_id")
	case !slices.Contains(EventKinds, e.Kind):
		return invalid("event kind must be one of %s", strings.Join(EventKinds, ", "))
	case e.ExternalID == "" || len(e.ExternalID) > 200:
		return invalid("an event needs an external_id of at most 200 characters")
	case e.Amount != "" && !decimal.MatchString(e.Amount):
		return invalid("amount %q is not a decimal with at most two places", e.Amount)
	case len(e.Currency) != 3:
		return invalid("currency must be a three-letter code")
	case e.OccurredAt.IsZero() || e.OccurredAt.After(now.Add(time.Hour)):
		return invalid("occurred_at must be set and not in the future")
	}
	return nil
}

// Ingest records event e and turns it, through the outreach rules, into
// tasks for the customer's relationship manager, in one transaction. A
// resent event (same external_id) changes nothing and returns dup=true with
// the stored event's id and its tasks.
func (s *Store) Ingest(ctx context.Context, e *Event) (tasks []Task, dup bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		if err := e.validate(now); err != nil {
			return err
		}
		if dup, err = insertEvent(ctx, tx, now, e); err != nil || dup {
			return err
		}
		return applyRules(ctx, tx, now, e)
	})
	if err != nil {
		return nil, false, fmt.Errorf("campaigns: event %q: %w", e.ExternalID, pgdb.FormatError(err))
	}
	tasks, err = s.tasks(ctx, `t.event_id = $1`, e.ID)
	return tasks, dup, err
}

func insertEvent(ctx context.Context, tx pgx.Tx, now time.Time, e *Event) (bool, error) {
	data, err := json.Marshal(e.Data)
	if err != nil || e.Data == nil {
		data = []byte("{}")
	}
	err = tx.QueryRow(ctx, `INSERT INTO customer_events (customer_id, kind, amount, currency, occurred_at, received_at,
			source, external_id, data)
		VALUES ($1, $2, nullif($3, '')::numeric, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (external_id) DO NOTHING RETURNING id`,
		e.CustomerID, e.Kind, e.Amount, e.Currency, e.OccurredAt, now, e.Source, e.ExternalID, data).Scan(&e.ID)
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, err
	}
	var cust int64
	err = tx.QueryRow(ctx, `SELECT id, customer_id FROM customer_events WHERE external_id = $1`, e.ExternalID).Scan(&e.ID, &cust)
	if err == nil && cust != e.CustomerID {
		return true, switchboard.Errorf(switchboard.ErrConflict, "external_id %q was sent for another customer", e.ExternalID)
	}
	return true, err
}

// applyRules carries out every enabled rule the event meets: its kind, the
// customer's tier, the amount and the customer's age. A preview_call rule
// gives the customer's relationship manager a task, due within the rule's
// business days in the customer's time zone (a customer with no RM gets no
// task; the alert still shows in the screen pop). An sms rule queues the
// rule's text for the customer, sent by the dialer past the gates (see
// sendRuleTexts). Both are unique per event and rule, so a rule acts once
// per event.
func applyRules(ctx context.Context, tx pgx.Tx, now time.Time, e *Event) error {
	var zone, region string
	var rm int64
	err := tx.QueryRow(ctx, `SELECT time_zone, region, coalesce(rm_id, 0) FROM customers WHERE id = $1`, e.CustomerID).
		Scan(&zone, &region, &rm)
	if err != nil {
		return err
	}
	ms, err := matchRules(ctx, tx, now, e)
	if err != nil {
		return err
	}
	hol, err := holidaySet(ctx, tx, now, region)
	if err != nil {
		return err
	}
	for _, m := range ms {
		switch {
		case m.action == "sms":
			_, err = tx.Exec(ctx, `INSERT INTO outreach_texts (event_id, rule_id, customer_id, due_at, created_at)
				VALUES ($1, $2, $3, $4, $4) ON CONFLICT (event_id, rule_id) DO NOTHING`, e.ID, m.id, e.CustomerID, now)
		case rm != 0:
			due := BusinessDays(now, m.days, zoneOr(zone), hol)
			_, err = tx.Exec(ctx, `INSERT INTO outbound_tasks (kind, agent_id, customer_id, event_id, rule_id, title, due_at, created_at)
				VALUES ('triggered_call', $1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id, rule_id) DO NOTHING`,
				rm, e.CustomerID, e.ID, m.id, m.title, due, now)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// ruleMatch is an outreach rule an event meets.
type ruleMatch struct {
	id     int64
	action string
	title  string
	days   int
}

func matchRules(ctx context.Context, tx pgx.Tx, now time.Time, e *Event) ([]ruleMatch, error) {
	rows, err := tx.Query(ctx, `SELECT r.id, r.action, r.title, r.due_business_days FROM outreach_rules r, customers c
		WHERE c.id = $1 AND r.enabled AND r.event_kind = $2
		  AND (cardinality(r.tiers) = 0 OR c.value_tier = ANY(r.tiers))
		  AND (r.min_amount IS NULL OR abs(nullif($3, '')::numeric) >= r.min_amount)
		  AND (r.min_age IS NULL OR date_part('year', age($4::date, c.birth_date)) >= r.min_age)
		ORDER BY r.id`, e.CustomerID, e.Kind, e.Amount, now)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (ruleMatch, error) {
		var m ruleMatch
		err := r.Scan(&m.id, &m.action, &m.title, &m.days)
		return m, err
	})
}

func zoneOr(name string) *time.Location {
	loc, err := Zone(name)
	if err != nil {
		loc, _ = Zone("Asia/Shanghai")
	}
	return loc
}

func holidaySet(ctx context.Context, tx pgx.Tx, now time.Time, region string) (map[string]bool, error) {
	rows, err := tx.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD') FROM holidays
		WHERE region IN ('', $1) AND day BETWEEN $2::date - 1 AND $2::date + 60`, region, now)
	if err != nil {
		return nil, err
	}
	days, err := pgx.CollectRows(rows, pgx.RowTo[string])
	set := map[string]bool{}
	for _, d := range days {
		set[d] = true
	}
	return set, err
}

// BusinessDays returns t plus n business days (Monday to Friday, not a
// holiday) in loc, at the same time of day; n = 0 is t itself.
func BusinessDays(t time.Time, n int, loc *time.Location, holidays map[string]bool) time.Time {
	l := t.In(loc)
	for d := 1; n > 0 && d < 400; d++ {
		day := time.Date(l.Year(), l.Month(), l.Day()+d, l.Hour(), l.Minute(), l.Second(), 0, loc)
		if day.Weekday() != time.Saturday && day.Weekday() != time.Sunday && !holidays[day.Format(time.DateOnly)] {
			n--
			if n == 0 {
				return day
			}
		}
	}
	return t
}
