package agentdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/interactions"
	"switchboard/routing"
)

// transfer records who moved the interaction where, and why, then moves it.
// by is the agent or supervisor acting.
func (d *Desk) transfer(ctx context.Context, by int64, x transferData) error {
	if (x.ToQueue == "") == (x.ToAgent == 0) {
		return switchboard.Errorf(switchboard.ErrInvalid, "name exactly one of to_queue and to_agent")
	}
	if utf8.RuneCountInString(x.Note) > 1000 {
		return switchboard.Errorf(switchboard.ErrInvalid, "the note is longer than 1000 characters")
	}
	err := d.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		return interactions.AddEvent(ctx, tx, now, x.InteractionID, interactions.KindTransferRequested, by, map[string]any{
			"to_queue": x.ToQueue, "to_agent": x.ToAgent, "mode": x.Mode, "note": x.Note})
	})
	if err != nil {
		return fmt.Errorf("agentdesk: transfer %d: %w", x.InteractionID, err)
	}
	l, err := interactions.Load(ctx, d.deps.Pool, x.InteractionID)
	if err != nil {
		return err
	}
	if err := d.deps.Engine.Transfer(ctx, x.InteractionID, routing.Target{Queue: x.ToQueue, AgentID: x.ToAgent}); err != nil {
		return err
	}
	if l.AgentID == 0 {
		return nil
	}
	// Routing announces the interaction's new place, not whom it left: tell
	// the agent who had it, wherever their desks are.
	return d.tell(ctx, l.AgentID, push("interaction", update{InteractionID: l.ID, Event: routing.EventTransferred,
		State: "transferred", Queue: x.ToQueue, At: d.cfg.Now().UTC()}))
}

type forceData struct {
	AgentID int64  `json:"agent_id"`
	State   string `json:"state"`
	Reason  string `json:"reason"`
}

// onForceState lets a supervisor set an agent's presence, e.g. put an agent
// who left their desk on a break.
func (d *Desk) onForceState(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x forceData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	if x.AgentID <= 0 {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "agent_id is required")
	}
	st, err := stateData{State: x.State, Reason: x.Reason}.parse()
	if err != nil {
		return nil, err
	}
	reason := x.Reason
	if reason == "" {
		reason = "supervisor"
	}
	d.cfg.Log.Info("agentdesk: state forced", "supervisor", c.agent.ID, "agent", x.AgentID, "state", st)
	if err := d.audit(ctx, c.agent.ID, "force_state", 0, reason, map[string]any{"agent_id": x.AgentID, "state": st}); err != nil {
		return nil, err
	}
	return nil, d.setState(ctx, x.AgentID, st, reason)
}

type moveData struct {
	InteractionID int64  `json:"interaction_id"`
	ToQueue       string `json:"to_queue"`
	ToAgent       int64  `json:"to_agent"`
}

// onMove lets a supervisor send a waiting interaction to another queue or
// straight to an agent.
func (d *Desk) onMove(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x moveData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	if x.InteractionID <= 0 {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "interaction_id is required")
	}
	return nil, d.transfer(ctx, c.agent.ID, transferData{InteractionID: x.InteractionID, ToQueue: x.ToQueue,
		ToAgent: x.ToAgent, Mode: "cold", Note: "moved by supervisor"})
}

// audit writes one audit_log row outside any other transaction.
func (d *Desk) audit(ctx context.Context, agentID int64, action string, customerID int64, reason string, detail map[string]any) error {
	return d.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		return auditTx(ctx, tx, now, agentID, action, customerID, reason, detail)
	})
}

func auditTx(ctx context.Context, tx pgx.Tx, now time.Time, agentID int64, action string, customerID int64, reason string, detail map[string]any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("agentdesk: audit %s: %w", action, err)
	}
	var cust any
	if customerID != 0 {
		cust = customerID
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (at, agent_id, action, customer_id, reason, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		now, agentID, action, cust, reason, b)
	if err != nil {
		return fmt.Errorf("agentdesk: audit %s: %w", action, err)
	}
	return nil
}
