package agentdesk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"switchboard"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/routing"
)

// offer is what the agent's desk shows when an interaction is reserved for
// them: the interaction, the countdown and the screen pop.
type offer struct {
	Interaction interactionJSON `json:"interaction"`
	ReservedAt  time.Time       `json:"reserved_at"` // when routing reserved it, for pop latency
	Expires     time.Time       `json:"expires,omitzero"`
	CountdownMs int64           `json:"countdown_ms"`
	Pop         *Pop            `json:"pop,omitempty"`
	PopError    string          `json:"pop_error,omitempty"`
}

// interactionJSON is an interaction as the desk shows it.
type interactionJSON struct {
	ID          int64     `json:"id"`
	Channel     string    `json:"channel"`
	Direction   string    `json:"direction"`
	State       string    `json:"state"`
	Queue       string    `json:"queue"`
	Tier        string    `json:"tier"`
	CustomerID  int64     `json:"customer_id,omitempty"`
	From        string    `json:"from,omitempty"`
	IVRPath     []string  `json:"ivr_path"`
	Disposition string    `json:"disposition,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

func interactionFromEvent(e routing.Event) interactionJSON {
	return interactionJSON{ID: e.InteractionID, Channel: string(e.Channel), State: "offered", Queue: e.Queue,
		Tier: string(e.Tier), CustomerID: e.CustomerID, IVRPath: []string{}, CreatedAt: e.EnqueuedAt}
}

func interactionFromLive(l interactions.Live) interactionJSON {
	path := l.IVRPath
	if path == nil {
		path = []string{}
	}
	return interactionJSON{ID: l.ID, Channel: string(l.Channel), Direction: string(l.Direction), State: string(l.State),
		Queue: l.Queue, Tier: string(l.Tier), CustomerID: l.CustomerID, From: l.From, IVRPath: path,
		Disposition: l.Disposition, CreatedAt: l.CreatedAt}
}

// Pop is the screen pop: the unified customer view, with what the desk adds
// to it. Customer is nil for an unidentified contact; the desk then offers
// a search to link one.
type Pop struct {
	Customer     *customers.View         `json:"customer,omitempty"`
	Unidentified bool                    `json:"unidentified"`
	Alerts       []customers.Alert       `json:"alerts"` // the view's, repeated for the desk's alert strip
	NextActions  []Action                `json:"next_actions"`
	Messages     []interactions.Message  `json:"messages"`  // the conversation so far (SMS and chat)
	Handovers    []interactions.Handover `json:"handovers"` // transfers and overflows before it reached the viewer
}

// offer builds the offer frame for e, as viewer may see it. Reading the view
// writes the audit row ("screen_pop") that records who saw the customer.
func (d *Desk) offer(ctx context.Context, viewer *switchboard.Agent, e routing.Event) (offer, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	l, err := interactions.Load(ctx, d.deps.Pool, e.InteractionID)
	if err != nil {
		return offer{}, fmt.Errorf("agentdesk: offer %d: %w", e.InteractionID, err)
	}
	p, err := d.pop(ctx, viewer, l)
	if err != nil {
		return offer{}, err
	}
	p.Handovers = withOverflow(p.Handovers, e.Queue, e.At)
	o := offer{Interaction: interactionFromLive(l), ReservedAt: e.At, Expires: e.Expires, Pop: p}
	o.Interaction.State = "offered"
	if !e.Expires.IsZero() {
		o.CountdownMs = max(0, e.Expires.Sub(d.cfg.Now()).Milliseconds())
	}
	return o, nil
}

// pop assembles the screen pop of interaction l for viewer.
func (d *Desk) pop(ctx context.Context, viewer *switchboard.Agent, l interactions.Live) (*Pop, error) {
	p := &Pop{Alerts: []customers.Alert{}, NextActions: []Action{}, Messages: []interactions.Message{}}
	if l.Channel != switchboard.ChannelVoice {
		msgs, err := d.store.Messages(ctx, l.ID, 0)
		if err != nil {
			return nil, fmt.Errorf("agentdesk: pop %d: %w", l.ID, err)
		}
		p.Messages = msgs
	}
	hs, err := interactions.Handovers(ctx, d.deps.Pool, l.ID)
	if err != nil {
		return nil, err
	}
	p.Handovers = hs
	if l.CustomerID == 0 {
		p.Unidentified = true
		p.NextActions = append(p.NextActions, Action{Code: "identify_customer", Why: "caller_unidentified"})
		return p, nil
	}
	v, err := d.deps.Customers.View(ctx, viewer, l.CustomerID, "screen_pop")
	if errors.Is(err, switchboard.ErrNotFound) {
		p.Unidentified = true
		return p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agentdesk: pop %d: %w", l.ID, err)
	}
	p.Customer = v
	if v.Alerts != nil {
		p.Alerts = v.Alerts
	}
	p.NextActions = nextActions(v, d.cfg.Now())
	return p, nil
}
