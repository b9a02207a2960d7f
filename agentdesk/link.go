package agentdesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels"
	"switchboard/customers"
)

type linkData struct {
	InteractionID int64 `json:"interaction_id"`
	CustomerID    int64 `json:"customer_id"`
}

// onLink links an unidentified contact to the customer the agent found, and
// answers with the new screen pop. The link, its interaction event and its
// audit row are one transaction; an interaction already linked is refused.
func (d *Desk) onLink(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x linkData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	if x.InteractionID <= 0 || x.CustomerID <= 0 {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "interaction_id and customer_id are required")
	}
	if _, err := d.owned(ctx, c.agent.ID, x.InteractionID, switchboard.StateOffered, switchboard.StateConnected, switchboard.StateWrapUp); err != nil {
		return nil, err
	}
	err := d.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error { return link(ctx, tx, now, c.agent.ID, x) })
	if err != nil {
		return nil, err
	}
	l, err := channels.LoadInteraction(ctx, d.deps.Pool, x.InteractionID, false)
	if err != nil {
		return nil, err
	}
	p, err := d.pop(ctx, c.agent, l)
	if err != nil {
		return nil, err
	}
	return liveJSON{Interaction: interactionFromLive(l), Pop: p}, nil
}

func link(ctx context.Context, tx pgx.Tx, now time.Time, agentID int64, x linkData) error {
	cust, err := customers.ByID(ctx, tx, x.CustomerID)
	if errors.Is(err, switchboard.ErrNotFound) {
		return switchboard.Errorf(switchboard.ErrNotFound, "no customer %d", x.CustomerID)
	}
	if err != nil {
		return fmt.Errorf("agentdesk: link %d: %w", x.InteractionID, err)
	}
	tag, err := tx.Exec(ctx, `UPDATE interactions SET customer_id = $2 WHERE id = $1 AND customer_id IS NULL`, x.InteractionID, x.CustomerID)
	if err != nil {
		return fmt.Errorf("agentdesk: link %d: %w", x.InteractionID, err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.Errorf(switchboard.ErrConflict, "interaction %d is already linked to a customer", x.InteractionID)
	}
	data := map[string]any{"customer_id": x.CustomerID, "customer_tier": cust.Tier}
	if err := channels.AddEvent(ctx, tx, now, x.InteractionID, "customer_linked", agentID, data); err != nil {
		return err
	}
	return auditTx(ctx, tx, now, agentID, "link_customer", x.CustomerID, "identified_by_agent", map[string]any{"interaction_id": x.InteractionID})
}

type searchData struct {
	Q string `json:"q"`
}

// onSearch finds customers for linking, by name, phone or id, through the
// customers service (which applies masking and records the search).
func (d *Desk) onSearch(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x searchData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	return d.deps.Customers.Search(ctx, c.agent, x.Q)
}
