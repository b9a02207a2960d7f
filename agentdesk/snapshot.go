package agentdesk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/campaigns"
	"switchboard/interactions"
)

// liveJSON is one of the agent's live interactions with its pop.
type liveJSON struct {
	Interaction interactionJSON `json:"interaction"`
	Expires     time.Time       `json:"expires,omitzero"` // offers only
	CountdownMs int64           `json:"countdown_ms,omitempty"`
	Pop         *Pop            `json:"pop"`
	// WrapUp is how long a wrap-up has left, and Draft what the agent
	// had typed in it, so a reloaded desk shows both.
	WrapUp *wrapUpTime `json:"wrapup,omitempty"`
	Draft  *wrapDraft  `json:"draft,omitempty"`
}

// snapshotJSON is everything a desk shows, read from Postgres (and the
// offers' deadlines from routing), never from this node's memory: a desk
// that reconnects to another node gets the same.
type snapshotJSON struct {
	Offers       []liveJSON       `json:"offers"`
	Interactions []liveJSON       `json:"interactions"`
	Dispositions []string         `json:"dispositions"`
	Presence     presence         `json:"presence"`
	Tasks        []campaigns.Task `json:"tasks"`
	Outcomes     []string         `json:"task_dispositions"`
	// Queues names every queue in both languages, so the pages never show
	// a queue's code.
	Queues map[string]queueTitle `json:"queues"`
	Board  any                   `json:"wallboard,omitempty"` // supervisors only
}

// resync pushes a "sync" frame with the agent's snapshot: on connect, and
// whenever the desk asks.
func (d *Desk) resync(ctx context.Context, c *client, re string) {
	s, err := d.snapshot(ctx, c.agent)
	if err != nil {
		id := d.logError(ctx, "agentdesk: resync", err, "agent", c.agent.ID)
		c.enqueue(encode(errorFrame(re, err, id)))
		return
	}
	c.enqueue(encode(push("sync", s)))
}

func (d *Desk) snapshot(ctx context.Context, a *switchboard.Agent) (snapshotJSON, error) {
	s := snapshotJSON{Offers: []liveJSON{}, Interactions: []liveJSON{}, Dispositions: Dispositions,
		Outcomes: campaigns.Dispositions}
	lives, err := interactions.HeldBy(ctx, d.deps.Pool, a.ID)
	if err != nil {
		return s, err
	}
	for _, l := range lives {
		p, err := d.pop(ctx, a, l)
		if err != nil {
			return s, err
		}
		j := liveJSON{Interaction: interactionFromLive(l), Pop: p}
		if l.State != switchboard.StateOffered {
			if err := d.addWrapUp(ctx, &j, l); err != nil {
				return s, err
			}
			s.Interactions = append(s.Interactions, j)
			continue
		}
		exp, err := d.deps.Engine.OfferExpiry(ctx, a.ID, l.ID)
		if err != nil {
			continue // no longer a live offer: a withdrawal is on its way
		}
		j.Expires, j.CountdownMs = exp, max(0, exp.Sub(d.cfg.Now()).Milliseconds())
		s.Offers = append(s.Offers, j)
	}
	if s.Presence, err = d.presenceOf(ctx, a.ID); err != nil {
		return s, err
	}
	if s.Tasks, err = d.taskList(ctx, a.ID); err != nil {
		return s, err
	}
	if s.Queues, err = d.queueTitles(ctx); err != nil {
		return s, err
	}
	if isSupervisor(a) {
		s.Board = d.lastBoard()
	}
	return s, nil
}

// queueTitle is a queue's name for people, in English and Chinese.
type queueTitle struct {
	Title   string `json:"title"`
	TitleZh string `json:"title_zh"`
}

// queueTitles reads the title of every queue, by queue name.
func (d *Desk) queueTitles(ctx context.Context) (map[string]queueTitle, error) {
	rows, err := d.deps.Pool.Query(ctx, `SELECT name, title, title_zh FROM queues`)
	if err != nil {
		return nil, fmt.Errorf("agentdesk: queue titles: %w", err)
	}
	out := map[string]queueTitle{}
	var name string
	var q queueTitle
	_, err = pgx.ForEachRow(rows, []any{&name, &q.Title, &q.TitleZh}, func() error {
		out[name] = q
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("agentdesk: queue titles: %w", err)
	}
	return out, nil
}

// addWrapUp adds the wrap-up's time left and the saved draft to j.
func (d *Desk) addWrapUp(ctx context.Context, j *liveJSON, l interactions.Live) error {
	var err error
	if j.Draft, err = d.draftOf(ctx, l.ID); err != nil || l.State != switchboard.StateWrapUp {
		return err
	}
	end, err := d.wrapUpEndOf(ctx, l.ID)
	if err == nil && !end.IsZero() {
		t := d.wrapUpTime(end)
		j.WrapUp = &t
	}
	return err
}

// presence is the agent's own state, so a desk that reconnects shows the
// right state in its selector rather than a default.
type presence struct {
	State  string    `json:"state"`
	Reason string    `json:"reason,omitempty"`
	Since  time.Time `json:"since,omitzero"`
}

// presenceOf reads routing's recorded presence; an agent who never logged
// in to routing is offline.
func (d *Desk) presenceOf(ctx context.Context, agentID int64) (presence, error) {
	p := presence{State: "offline"}
	err := d.deps.Pool.QueryRow(ctx, `SELECT state, reason, since FROM agent_presence WHERE agent_id = $1`, agentID).
		Scan(&p.State, &p.Reason, &p.Since)
	if errors.Is(err, pgx.ErrNoRows) {
		return presence{State: "offline"}, nil
	}
	if err != nil {
		return p, fmt.Errorf("agentdesk: presence of %d: %w", agentID, err)
	}
	return p, nil
}
