package agentdesk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/customers"
	"switchboard/interactions"
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
	l, err := interactions.Load(ctx, d.deps.Pool, x.InteractionID)
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
	if err := interactions.LinkCustomer(ctx, tx, now, x.InteractionID, agentID, x.CustomerID, cust.Tier); err != nil {
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
