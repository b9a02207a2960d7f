package campaigns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/customers"
	"switchboard/interactions"
)

// Dispositions an agent gives a campaign contact.
const (
	Interested    = "interested"
	NotInterested = "not_interested"
	Callback      = "callback" // call again at CallbackAt
	WrongNumber   = "wrong_number"
	DoNotCall     = "do_not_call" // the number goes on the do-not-call list
	Sale          = "sale"
)

// Dispositions lists every disposition.
var Dispositions = []string{Interested, NotInterested, Callback, WrongNumber, DoNotCall, Sale}

// Disposition is an agent's record of how a contact went.
type Disposition struct {
	Code       string     `json:"code"`
	CallbackAt *time.Time `json:"callback_at,omitempty"`
	Note       string     `json:"note,omitempty"`
}

func (d Disposition) validate(now time.Time) error {
	switch {
	case !slices.Contains(Dispositions, d.Code):
		return invalid("disposition must be one of %s", strings.Join(Dispositions, ", "))
	case d.Code == Callback && (d.CallbackAt == nil || !d.CallbackAt.After(now)):
		return invalid("a callback needs a time in the future")
	case len(d.Note) > 4000:
		return invalid("a note may be at most 4000 characters")
	}
	return nil
}

// Dispose records agent's disposition of campaign contact id. The agent who
// talked to the customer may, and so may a supervisor or an administrator.
// A callback is dialled at its time only if the contact has attempts left
// (see applyDisposition); do_not_call puts the number on the do-not-call
// list and marks the customer.
func (s *Store) Dispose(ctx context.Context, agent *switchboard.Agent, id int64, d Disposition) error {
	err := s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		if err := d.validate(now); err != nil {
			return err
		}
		var customer, talker, interaction int64
		var phone string
		err := tx.QueryRow(ctx, `SELECT c.customer_id, c.phone, coalesce(a.agent_id, 0), coalesce(a.interaction_id, 0)
			FROM campaign_contacts c LEFT JOIN LATERAL (SELECT agent_id, interaction_id FROM outreach_attempts
				WHERE contact_id = c.id AND result <> 'skipped' ORDER BY id DESC LIMIT 1) a ON true
			WHERE c.id = $1 FOR UPDATE OF c`, id).Scan(&customer, &phone, &talker, &interaction)
		if errors.Is(err, pgx.ErrNoRows) {
			return switchboard.Errorf(switchboard.ErrNotFound, "no campaign contact %d", id)
		}
		if err != nil {
			return err
		}
		if talker != agent.ID && !agent.Can(switchboard.RoleSupervisor, switchboard.RoleAdmin) {
			return switchboard.Errorf(switchboard.ErrForbidden, "only the agent who took the call may dispose contact %d", id)
		}
		if err := applyDisposition(ctx, tx, now, id, d); err != nil {
			return err
		}
		return afterContact(ctx, tx, now, agent.ID, customer, interaction, phone, d)
	})
	if err != nil {
		return fmt.Errorf("campaigns: dispose contact %d: %w", id, err)
	}
	return nil
}

// OutcomeCallbackNoAttempts is the outcome of a contact who asked for a
// callback when the campaign's attempts were used up.
const OutcomeCallbackNoAttempts = "callback_no_attempts_left"

// applyDisposition moves contact id on after d.
//
// A callback never grants an attempt: the campaign's maximum is what
// marketing and compliance signed off, and the dialer never calls one
// contact more often. With attempts left, the contact is dialled again at
// the callback time (the customer asked for that call, so it does not count
// against the frequency cap; see Request.Callback). With none left, the
// callback is still recorded (disposition and callback_at stay on the
// contact, in the results and the export, so the agent and the
// relationship manager see what the customer asked for) but the contact is
// finished with OutcomeCallbackNoAttempts, and the dialer does not call.
func applyDisposition(ctx context.Context, tx pgx.Tx, now time.Time, id int64, d Disposition) error {
	state := "done"
	switch d.Code {
	case Callback:
		_, err := tx.Exec(ctx, `UPDATE campaign_contacts c SET disposition = $2, callback_at = $3, updated_at = $4,
				state = CASE WHEN c.attempts < k.max_attempts THEN 'pending' ELSE 'done' END,
				next_at = CASE WHEN c.attempts < k.max_attempts THEN $3 ELSE c.next_at END,
				outcome = CASE WHEN c.attempts < k.max_attempts THEN c.outcome ELSE $5 END
			FROM campaigns k WHERE c.id = $1 AND k.id = c.campaign_id`, id, d.Code, d.CallbackAt, now, OutcomeCallbackNoAttempts)
		return err
	case WrongNumber, DoNotCall:
		state = "failed"
	}
	_, err := tx.Exec(ctx, `UPDATE campaign_contacts SET state = $2, disposition = $3, outcome = $3, updated_at = $4
		WHERE id = $1`, id, state, d.Code, now)
	return err
}

// afterContact does what any disposition (of a campaign contact or a task)
// implies: the interaction's disposition, the note, the do-not-call list.
func afterContact(ctx context.Context, tx pgx.Tx, now time.Time, agent, customer, interaction int64, phone string, d Disposition) error {
	if interaction != 0 {
		if err := interactions.SetDisposition(ctx, tx, interaction, d.Code); err != nil {
			return err
		}
	}
	if d.Note != "" {
		_, err := tx.Exec(ctx, `INSERT INTO notes (customer_id, interaction_id, agent_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5)`, customer, nilIfZero(interaction), agent, d.Note, now)
		if err != nil {
			return err
		}
	}
	if d.Code != DoNotCall {
		return nil
	}
	return addDNC(ctx, tx, now, agent, customer, phone, "disposition")
}

// addDNC puts phone on the do-not-call list and records the consent change,
// which marks every customer with that number do-not-call.
func addDNC(ctx context.Context, tx pgx.Tx, now time.Time, agent, customer int64, phone, reason string) error {
	_, err := tx.Exec(ctx, `INSERT INTO dnc (phone, source, reason, agent_id, added_at) VALUES ($1, 'agent', $2, $3, $4)
		ON CONFLICT (phone) DO NOTHING`, phone, reason, nilIfZero(agent), now)
	if err != nil {
		return err
	}
	return customers.RecordConsent(ctx, tx, now, customers.ConsentUpdate{CustomerID: customer, Phone: phone, Kind: "dnc",
		OptedOut: true, Source: fmt.Sprintf("agent:%d", agent), Detail: reason})
}

// AddDNC puts phone (E.164) on the do-not-call list.
func (s *Store) AddDNC(ctx context.Context, agent *switchboard.Agent, phone, reason string) error {
	return s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		return addDNC(ctx, tx, now, agent.ID, 0, phone, reason)
	})
}
