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
	"switchboard/routing"
)

// wrapDraft is the wrap-up as the agent has typed it so far.
type wrapDraft struct {
	InteractionID int64  `json:"interaction_id"`
	Disposition   string `json:"disposition"`
	Notes         string `json:"notes"`
}

func (x wrapDraft) check() error {
	switch {
	case x.InteractionID <= 0:
		return switchboard.Errorf(switchboard.ErrInvalid, "interaction_id is required")
	case x.Disposition != "" && !slices.Contains(Dispositions, x.Disposition):
		return switchboard.Errorf(switchboard.ErrInvalid, "unknown disposition %q", x.Disposition)
	case utf8.RuneCountInString(x.Notes) > 4000:
		return switchboard.Errorf(switchboard.ErrInvalid, "notes are longer than 4000 characters")
	}
	return nil
}

// onWrapUpDraft saves what the agent has typed in the wrap-up so far (the
// desk sends it as they type). If the wrap-up time runs out first, the
// interaction is completed with it (see keepDraft).
func (d *Desk) onWrapUpDraft(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x wrapDraft
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	if err := x.check(); err != nil {
		return nil, err
	}
	if _, err := d.owned(ctx, c.agent.ID, x.InteractionID, switchboard.StateConnected, switchboard.StateWrapUp); err != nil {
		return nil, err
	}
	_, err := d.deps.Pool.Exec(ctx, `INSERT INTO wrapup_drafts (interaction_id, agent_id, disposition, notes, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (interaction_id) DO UPDATE
		SET agent_id = $2, disposition = $3, notes = $4, updated_at = $5`,
		x.InteractionID, c.agent.ID, x.Disposition, x.Notes, d.cfg.Now())
	if err != nil {
		return nil, fmt.Errorf("agentdesk: wrap-up draft %d: %w", x.InteractionID, err)
	}
	return nil, nil
}

// wrapUpTime is the answer to extend_wrapup, and how a snapshot tells a
// desk how long its wrap-up has left: the end, and the milliseconds to it
// by the server's clock (the desk's clock may differ).
type wrapUpTime struct {
	Expires     time.Time `json:"expires"`
	CountdownMs int64     `json:"countdown_ms"`
}

func (d *Desk) wrapUpTime(end time.Time) wrapUpTime {
	return wrapUpTime{Expires: end, CountdownMs: max(0, end.Sub(d.cfg.Now()).Milliseconds())}
}

// onExtendWrapUp gives the agent Config.WrapUpExtend more wrap-up time,
// within the most the bank allows (routing's WrapUpMax).
func (d *Desk) onExtendWrapUp(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	id, err := decodeID(raw)
	if err != nil {
		return nil, err
	}
	end, err := d.deps.Engine.ExtendWrapUp(ctx, c.agent.ID, id, d.cfg.WrapUpExtend)
	if errors.Is(err, switchboard.ErrInvalid) {
		return nil, switchboard.Errorf(switchboard.ErrConflict, "the wrap-up cannot be extended further")
	}
	if err != nil {
		return nil, err
	}
	return d.wrapUpTime(end), nil
}

// keepDraft completes an interaction whose wrap-up ended without one being
// recorded (the time ran out) with the agent's saved draft. Every node
// hears the done event; taking the draft row in the transaction makes one
// of them record it, once.
func (d *Desk) keepDraft(ctx context.Context, e routing.Event) {
	err := d.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		var x wrapDraft
		var agentID int64
		err := tx.QueryRow(ctx, `DELETE FROM wrapup_drafts WHERE interaction_id = $1 RETURNING agent_id, disposition, notes`,
			e.InteractionID).Scan(&agentID, &x.Disposition, &x.Notes)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // recorded by the agent, or nothing was typed
		}
		if err != nil || (x.Disposition == "" && strings.TrimSpace(x.Notes) == "") {
			return err
		}
		// Not locked: recordWrapUp's update is conditional, and a row lock
		// here would queue behind routing's own write of the same row.
		l, err := interactions.Load(ctx, tx, e.InteractionID)
		if err != nil {
			return err
		}
		return recordWrapUp(ctx, tx, now, agentID, l, wrapUpData{InteractionID: l.ID, Disposition: x.Disposition, Notes: x.Notes})
	})
	if err != nil {
		d.logError(ctx, "agentdesk: keep the wrap-up draft", err, "interaction", e.InteractionID)
	}
}

// draftOf reads the saved wrap-up draft of interaction id, nil if none.
func (d *Desk) draftOf(ctx context.Context, id int64) (*wrapDraft, error) {
	x := wrapDraft{InteractionID: id}
	err := d.deps.Pool.QueryRow(ctx, `SELECT disposition, notes FROM wrapup_drafts WHERE interaction_id = $1`, id).
		Scan(&x.Disposition, &x.Notes)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agentdesk: wrap-up draft of %d: %w", id, err)
	}
	return &x, nil
}

// wrapUpEndOf reads when interaction id's wrap-up ends; zero if unknown.
func (d *Desk) wrapUpEndOf(ctx context.Context, id int64) (time.Time, error) {
	end, err := interactions.WrapUpEnd(ctx, d.deps.Pool, id)
	if err != nil {
		return time.Time{}, fmt.Errorf("agentdesk: %w", err)
	}
	return end, nil
}
