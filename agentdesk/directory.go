package agentdesk

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"switchboard"
	"switchboard/routing"
)

// directoryJSON is who and where an interaction can go: the pickers of the
// transfer panel and the wallboard's move controls read it, so nobody has
// to type a queue code or an agent id.
type directoryJSON struct {
	Queues []directoryQueue `json:"queues"`
	Agents []directoryAgent `json:"agents"`
}

type directoryQueue struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	TitleZh string `json:"title_zh"`
	Waiting int    `json:"waiting"`
}

// directoryAgent is one logged-in agent. State folds routing's presence
// and what the agent holds into what a person asks: available, busy,
// wrapup or break. Free says per channel whether the agent could take one
// more now. Load and Capacity are for supervisors only.
type directoryAgent struct {
	ID       int64                        `json:"id"`
	Name     string                       `json:"name"`
	State    string                       `json:"state"`
	Reason   string                       `json:"reason,omitempty"`
	Free     map[switchboard.Channel]bool `json:"free"`
	Load     map[switchboard.Channel]int  `json:"load,omitempty"`
	Capacity map[switchboard.Channel]int  `json:"capacity,omitempty"`
}

func (d *Desk) onDirectory(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	if err := decodeData(raw, &struct{}{}); err != nil {
		return nil, err
	}
	return d.directory(ctx, isSupervisor(c.agent))
}

func (d *Desk) directory(ctx context.Context, supervisor bool) (directoryJSON, error) {
	out := directoryJSON{Queues: []directoryQueue{}, Agents: []directoryAgent{}}
	titles, err := d.queueTitles(ctx)
	if err != nil {
		return out, err
	}
	stats, err := d.deps.Engine.Stats(ctx)
	if err != nil {
		return out, err
	}
	waiting := map[string]int{}
	for _, s := range stats {
		waiting[s.Queue] += s.Waiting
	}
	for name, q := range titles {
		out.Queues = append(out.Queues, directoryQueue{Name: name, Title: q.Title, TitleZh: q.TitleZh, Waiting: waiting[name]})
	}
	slices.SortFunc(out.Queues, func(a, b directoryQueue) int { return strings.Compare(a.Name, b.Name) })
	rows, err := d.agentRows(ctx)
	if err != nil {
		return out, err
	}
	for _, r := range rows {
		if r.State == routing.AgentOffline {
			continue
		}
		a := directoryAgent{ID: r.AgentID, Name: r.Name, State: deskState(r.AgentStatus), Reason: r.Reason, Free: free(r.AgentStatus)}
		if supervisor {
			a.Load, a.Capacity = r.Load, r.Capacity
		}
		out.Agents = append(out.Agents, a)
	}
	return out, nil
}

// deskState is the state a person sees for s.
func deskState(s routing.AgentStatus) string {
	switch {
	case s.State == routing.AgentBreak:
		return "break"
	case s.Busy():
		return "busy"
	case s.WrappingUp():
		return "wrapup"
	}
	return string(s.State)
}

// free says per channel whether s has room for one more interaction.
func free(s routing.AgentStatus) map[switchboard.Channel]bool {
	out := map[switchboard.Channel]bool{}
	for ch, n := range s.Capacity {
		out[ch] = s.State == routing.AgentAvailable && !s.WrappingUp() && s.Load[ch] < n
	}
	return out
}
