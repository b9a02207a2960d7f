package agentdesk

import (
	"context"
	"sync"
	"time"

	"switchboard/campaigns"
)

// campaignEvery bounds how often the wallboard recounts the campaigns'
// figures: the counts read every contact of a campaign, which is heavy for a
// large audience and need not move faster than a supervisor reads them.
const campaignEvery = 5 * time.Second

// campaignRow is one running campaign's live figures on the wallboard.
type campaignRow struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Channel     string  `json:"channel"`
	DialMode    string  `json:"dial_mode,omitempty"`
	Dialled     int     `json:"dialled"`
	Connected   int     `json:"connected"`
	Abandoned   int     `json:"abandoned"`
	AbandonRate float64 `json:"abandon_rate"` // of the calls a person answered
	Delivered   int     `json:"delivered"`
	Conversions int     `json:"conversions"`
	Remaining   int     `json:"remaining"`
}

// campaignCache holds the last figures and when they were counted.
type campaignCache struct {
	mu   sync.Mutex
	at   time.Time
	rows []campaignRow
}

// campaignRows returns the running campaigns' figures, recounted at most
// every campaignEvery; none when no campaigns run here.
func (d *Desk) campaignRows(ctx context.Context) ([]campaignRow, error) {
	if d.deps.Tasks == nil {
		return []campaignRow{}, nil
	}
	c := &d.camps
	c.mu.Lock()
	defer c.mu.Unlock()
	now := d.cfg.Now()
	if c.rows != nil && now.Sub(c.at) < campaignEvery {
		return c.rows, nil
	}
	list, err := d.deps.Tasks.List(ctx, campaigns.Filter{States: []campaigns.State{campaigns.Running}, Limit: 50})
	if err != nil {
		return nil, err
	}
	rows := make([]campaignRow, 0, len(list))
	for _, cp := range list {
		r, err := d.deps.Tasks.Results(ctx, cp.ID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, campaignRow{ID: cp.ID, Name: cp.Name, Channel: string(cp.Channel), DialMode: string(cp.DialMode),
			Dialled: r.Dialled, Connected: r.Connected, Abandoned: r.Abandoned, AbandonRate: r.AbandonRate,
			Delivered: r.Delivered, Conversions: r.Conversions, Remaining: r.Remaining})
	}
	c.rows, c.at = rows, now
	return rows, nil
}
