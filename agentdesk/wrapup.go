package agentdesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/interactions"
)

// Dispositions are the outcomes an agent can record at wrap-up; the desk
// shows them with the glossary's English and Chinese names.
var Dispositions = []string{
	"enquiry", "complaint", "grievance", "follow_up_visit", "appointment", "referral",
	"interested", "customer_declined", "completed_sale", "callback_scheduled", "escalated",
	"no_answer", "busy", "wrong_number",
}

type followUp struct {
	DueAt time.Time `json:"due_at"`
	Note  string    `json:"note"`
}

type wrapUpData struct {
	InteractionID int64     `json:"interaction_id"`
	Disposition   string    `json:"disposition"`
	Notes         string    `json:"notes"`
	FollowUp      *followUp `json:"follow_up"`
}

func (x wrapUpData) check(now time.Time) error {
	switch {
	case x.InteractionID <= 0:
		return switchboard.Errorf(switchboard.ErrInvalid, "interaction_id is required")
	case !slices.Contains(Dispositions, x.Disposition):
		return switchboard.Errorf(switchboard.ErrInvalid, "unknown disposition %q", x.Disposition)
	case utf8.RuneCountInString(x.Notes) > 4000:
		return switchboard.Errorf(switchboard.ErrInvalid, "notes are longer than 4000 characters")
	}
	if f := x.FollowUp; f != nil {
		switch {
		case f.DueAt.Before(now):
			return switchboard.Errorf(switchboard.ErrInvalid, "the follow-up is due in the past")
		case f.DueAt.After(now.AddDate(1, 0, 0)):
			return switchboard.Errorf(switchboard.ErrInvalid, "the follow-up is due more than a year ahead")
		case strings.TrimSpace(f.Note) == "" || utf8.RuneCountInString(f.Note) > 1000:
			return switchboard.Errorf(switchboard.ErrInvalid, "the follow-up needs a note of 1 to 1000 characters")
		}
	}
	return nil
}

// onWrapUp records the outcome (disposition, notes, follow-up task) in one
// transaction, then frees the agent. A connected interaction is ended first.
// Sending the same wrap-up again after a failure is safe: the record is
// written once, and freeing an agent already free is not an error.
func (d *Desk) onWrapUp(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x wrapUpData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	if err := x.check(d.cfg.Now()); err != nil {
		return nil, err
	}
	l, err := d.owned(ctx, c.agent.ID, x.InteractionID, switchboard.StateConnected, switchboard.StateWrapUp, switchboard.StateDone)
	if err != nil {
		return nil, err
	}
	if l.State == switchboard.StateConnected {
		if err := d.deps.Engine.Complete(ctx, c.agent.ID, l.ID); err != nil {
			return nil, err
		}
	}
	if err := d.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error { return recordWrapUp(ctx, tx, now, c.agent.ID, l, x) }); err != nil {
		return nil, err
	}
	err = d.deps.Engine.WrapUpDone(ctx, c.agent.ID, l.ID)
	if errors.Is(err, switchboard.ErrNotFound) {
		err = nil // the wrap-up time had already run out
	}
	return nil, err
}

// recordWrapUp writes the wrap-up unless it is already written.
func recordWrapUp(ctx context.Context, tx pgx.Tx, now time.Time, agentID int64, l interactions.Live, x wrapUpData) error {
	first, err := interactions.SetFirstDisposition(ctx, tx, l.ID, x.Disposition)
	if err != nil {
		return fmt.Errorf("agentdesk: %w", err)
	}
	if !first {
		return nil // written by an earlier attempt
	}
	if _, err := tx.Exec(ctx, `DELETE FROM wrapup_drafts WHERE interaction_id = $1`, l.ID); err != nil {
		return fmt.Errorf("agentdesk: wrap-up %d draft: %w", l.ID, err)
	}
	data := map[string]any{"disposition": x.Disposition}
	if strings.TrimSpace(x.Notes) != "" {
		if l.CustomerID != 0 {
			_, err = tx.Exec(ctx, `INSERT INTO notes (customer_id, interaction_id, agent_id, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
				l.CustomerID, l.ID, agentID, x.Notes, now)
			if err != nil {
				return fmt.Errorf("agentdesk: wrap-up %d note: %w", l.ID, err)
			}
		} else {
			data["notes"] = x.Notes // no customer to file it under: keep it with the interaction
		}
	}
	if f := x.FollowUp; f != nil {
		var cust any
		if l.CustomerID != 0 {
			cust = l.CustomerID
		}
		_, err = tx.Exec(ctx, `INSERT INTO follow_ups (interaction_id, customer_id, owner_id, due_at, note, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (interaction_id) DO NOTHING`, l.ID, cust, agentID, f.DueAt, f.Note, now)
		if err != nil {
			return fmt.Errorf("agentdesk: wrap-up %d follow-up: %w", l.ID, err)
		}
		data["follow_up_due"] = f.DueAt
	}
	return interactions.AddEvent(ctx, tx, now, l.ID, interactions.KindWrapUpRecorded, agentID, data)
}

type transferData struct {
	InteractionID int64  `json:"interaction_id"`
	ToQueue       string `json:"to_queue"`
	ToAgent       int64  `json:"to_agent"`
	Mode          string `json:"mode"` // warm or cold
	Note          string `json:"note"`
}

// onTransfer moves the agent's interaction to a queue or an agent. Warm
// transfers carry the agent's handover note, which the next agent's pop
// shows in the interaction's history; cold ones need none.
func (d *Desk) onTransfer(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x transferData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	if x.Mode != "warm" && x.Mode != "cold" {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "mode must be warm or cold")
	}
	if x.Mode == "warm" && strings.TrimSpace(x.Note) == "" {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "a warm transfer needs a handover note")
	}
	if _, err := d.owned(ctx, c.agent.ID, x.InteractionID, switchboard.StateOffered, switchboard.StateConnected); err != nil {
		return nil, err
	}
	return nil, d.transfer(ctx, c.agent.ID, x)
}
