package agentdesk

import (
	"maps"
	"slices"
	"sync"

	"switchboard"
)

// hub holds this node's open desks: by agent, and the supervisors'. Every
// node receives every event; the hub answers which of them are its own.
type hub struct {
	mu       sync.RWMutex
	agents   map[int64]map[*client]struct{}
	sessions map[string]map[*client]struct{} // by agents.SessionKey
	supers   map[*client]struct{}
}

func newHub() *hub {
	return &hub{agents: map[int64]map[*client]struct{}{}, sessions: map[string]map[*client]struct{}{},
		supers: map[*client]struct{}{}}
}

// isSupervisor reports whether a desk gets the wallboard feed.
func isSupervisor(a *switchboard.Agent) bool {
	return a.Can(switchboard.RoleSupervisor)
}

func (h *hub) add(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	addTo(h.agents, c.agent.ID, c)
	addTo(h.sessions, c.session, c)
	if isSupervisor(c.agent) {
		h.supers[c] = struct{}{}
	}
}

func (h *hub) remove(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	removeFrom(h.agents, c.agent.ID, c)
	removeFrom(h.sessions, c.session, c)
	delete(h.supers, c)
}

func addTo[K comparable](m map[K]map[*client]struct{}, k K, c *client) {
	set := m[k]
	if set == nil {
		set = map[*client]struct{}{}
		m[k] = set
	}
	set[c] = struct{}{}
}

func removeFrom[K comparable](m map[K]map[*client]struct{}, k K, c *client) {
	if set := m[k]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(m, k)
		}
	}
}

// ofSession returns this node's desks opened with the session key.
func (h *hub) ofSession(key string) []*client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return slices.Collect(maps.Keys(h.sessions[key]))
}

// ofAgent returns this node's desks of agentID.
func (h *hub) ofAgent(agentID int64) []*client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return slices.Collect(maps.Keys(h.agents[agentID]))
}

// all returns every desk on this node.
func (h *hub) all() []*client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*client
	for _, set := range h.agents {
		out = slices.AppendSeq(out, maps.Keys(set))
	}
	return out
}

// agent returns the agent record of one of agentID's desks on this node, or
// nil when the agent has none here.
func (h *hub) agent(agentID int64) *switchboard.Agent {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.agents[agentID] {
		return c.agent
	}
	return nil
}

// toAgent queues b on every desk of agentID on this node and returns how
// many there were.
func (h *hub) toAgent(agentID int64, b []byte) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for c := range h.agents[agentID] {
		if c.enqueue(b) {
			n++
		}
	}
	return n
}

// toSupervisors queues b on every supervisor desk on this node.
func (h *hub) toSupervisors(b []byte) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for c := range h.supers {
		c.enqueue(b)
	}
}

// hasSupervisors reports whether any wallboard is open on this node.
func (h *hub) hasSupervisors() bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.supers) > 0
}

// counts returns the open desks and distinct agents on this node.
func (h *hub) counts() (conns, agents int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, set := range h.agents {
		conns += len(set)
	}
	return conns, len(h.agents)
}

// agentIDs lists the agents with a desk on this node.
func (h *hub) agentIDs() []int64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	ids := make([]int64, 0, len(h.agents))
	for id := range h.agents {
		ids = append(ids, id)
	}
	return ids
}
