package agentdesk

import (
	"context"
	"encoding/json"
	"net/http"
	"runtime"
	"time"

	"switchboard"
	"switchboard/agents"
	"switchboard/routing"
)

// board is the supervisors' wallboard: every queue and tier, every
// logged-in agent, every waiting interaction.
type board struct {
	Queues  []queueRow   `json:"queues"`
	Agents  []agentRow   `json:"agents"`
	Waiting []waitingRow `json:"waiting"`
	// Campaigns are the running outbound campaigns' live figures.
	Campaigns []campaignRow `json:"campaigns"`
	At        time.Time     `json:"at"`
}

// queueRow is routing's row with durations in milliseconds for the page.
type queueRow struct {
	routing.QueueStats
	LongestWaitMs int64 `json:"longest_wait_ms"`
}

type agentRow struct {
	routing.AgentStatus
	Name     string `json:"name"`
	Username string `json:"username"`
}

type waitingRow struct {
	routing.Waiting
	Queue  string `json:"queue"`
	WaitMs int64  `json:"wait_ms"`
}

// wallboardLoop pushes the wallboard to this node's supervisors every
// Config.Wallboard, and soon after any routing event (at most four times a
// second), so counters move live without flooding the desks.
func (d *Desk) wallboardLoop(ctx context.Context, dirty <-chan struct{}) {
	tick := time.NewTicker(d.cfg.Wallboard)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-dirty:
			select {
			case <-time.After(250 * time.Millisecond):
			case <-ctx.Done():
				return
			}
		}
		if !d.hub.hasSupervisors() {
			continue
		}
		b, err := d.wallboard(ctx)
		if err != nil {
			d.cfg.Log.Warn("agentdesk: wallboard", "err", err)
			continue
		}
		frame := encode(push("wallboard", b))
		d.boardMu.Lock()
		d.board = frame
		d.boardMu.Unlock()
		d.hub.toSupervisors(frame)
	}
}

// lastBoard is the latest wallboard this node computed, for a supervisor
// who has just connected; nil before the first.
func (d *Desk) lastBoard() json.RawMessage {
	d.boardMu.Lock()
	defer d.boardMu.Unlock()
	if d.board == nil {
		return nil
	}
	var f struct {
		Data json.RawMessage `json:"data"`
	}
	json.Unmarshal(d.board, &f)
	return f.Data
}

func (d *Desk) wallboard(ctx context.Context) (board, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	b := board{Queues: []queueRow{}, Agents: []agentRow{}, Waiting: []waitingRow{}, Campaigns: []campaignRow{}, At: d.cfg.Now().UTC()}
	stats, err := d.deps.Engine.Stats(ctx)
	if err != nil {
		return b, err
	}
	queues := map[string]bool{}
	for _, s := range stats {
		b.Queues = append(b.Queues, queueRow{QueueStats: s, LongestWaitMs: s.LongestWait.Milliseconds()})
		if s.Waiting > 0 && !queues[s.Queue] {
			queues[s.Queue] = true
			ws, err := d.deps.Engine.Waiting(ctx, s.Queue)
			if err != nil {
				return b, err
			}
			for _, w := range ws {
				b.Waiting = append(b.Waiting, waitingRow{Waiting: w, Queue: s.Queue, WaitMs: w.Wait.Milliseconds()})
			}
		}
	}
	if b.Agents, err = d.agentRows(ctx); err != nil {
		return b, err
	}
	if b.Campaigns, err = d.campaignRows(ctx); err != nil {
		return b, err
	}
	return b, nil
}

func (d *Desk) agentRows(ctx context.Context) ([]agentRow, error) {
	states, err := d.deps.Engine.AgentStates(ctx)
	if err != nil {
		return nil, err
	}
	active := true
	all, err := d.deps.Agents.List(ctx, agents.Filter{Active: &active})
	if err != nil {
		return nil, err
	}
	names := make(map[int64]*switchboard.Agent, len(all))
	for _, a := range all {
		names[a.ID] = a
	}
	out := make([]agentRow, 0, len(states))
	for _, s := range states {
		r := agentRow{AgentStatus: s}
		if a := names[s.AgentID]; a != nil {
			r.Name, r.Username = a.Name, a.Username
		}
		out = append(out, r)
	}
	return out, nil
}

// Stats is this node's desk statistics, for the load tool and operators.
type Stats struct {
	Node        string   `json:"node"`
	Connections int      `json:"connections"`
	Agents      int      `json:"agents"`
	Goroutines  int      `json:"goroutines"`
	HeapInuse   uint64   `json:"heap_inuse_bytes"`
	StackInuse  uint64   `json:"stack_inuse_bytes"`
	Sys         uint64   `json:"sys_bytes"` // all memory the Go runtime holds from the OS
	Pops        PopStats `json:"pops"`
}

// Stats reads the node's statistics.
func (d *Desk) Stats() Stats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	conns, agents := d.hub.counts()
	return Stats{Node: d.cfg.Node, Connections: conns, Agents: agents, Goroutines: runtime.NumGoroutine(),
		HeapInuse: m.HeapInuse, StackInuse: m.StackInuse, Sys: m.Sys, Pops: d.pops.stats()}
}

// serveStats answers Stats to supervisors and administrators only: the
// numbers say how busy the bank is.
func (d *Desk) serveStats(w http.ResponseWriter, r *http.Request) {
	a, err := d.deps.Agents.Authenticate(r.Context(), agents.SessionToken(r))
	if err != nil {
		http.Error(w, "agentdesk: "+switchboard.ErrorMessage(err), http.StatusUnauthorized)
		return
	}
	if !a.Can(switchboard.RoleSupervisor) {
		http.Error(w, "agentdesk: supervisors only", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(d.Stats())
}
