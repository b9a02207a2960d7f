package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/keyspace"
)

// Window is the activity of one queue and tier over a period.
type Window struct {
	Offered      int64         `json:"offered"` // entered the queue
	Answered     int64         `json:"answered"`
	AnsweredInSL int64         `json:"answered_in_sl"` // answered within the queue's threshold
	Abandoned    int64         `json:"abandoned"`
	ServiceLevel float64       `json:"service_level"` // AnsweredInSL / (Answered + Abandoned)
	ASA          time.Duration `json:"asa"`           // average speed of answer
	AbandonRate  float64       `json:"abandon_rate"`  // Abandoned / (Answered + Abandoned)
}

// QueueStats is the live picture of one queue and tier. Agent counts are of
// the logged-in agents with the queue's skills who may serve the tier.
type QueueStats struct {
	Queue           string                `json:"queue"`
	Tier            switchboard.ValueTier `json:"tier"`
	Waiting         int                   `json:"waiting"`
	LongestWait     time.Duration         `json:"longest_wait"`
	AgentsAvailable int                   `json:"agents_available"`
	AgentsBusy      int                   `json:"agents_busy"`
	AgentsWrapUp    int                   `json:"agents_wrapup"`
	Last15          Window                `json:"last_15m"`
	Today           Window                `json:"today"`
}

// AgentStatus is a logged-in agent as routing sees it.
type AgentStatus struct {
	AgentID  int64                       `json:"agent_id"`
	State    AgentState                  `json:"state"`
	Reason   string                      `json:"reason,omitempty"`
	Since    time.Time                   `json:"since"`
	Load     map[switchboard.Channel]int `json:"load"`
	Capacity map[switchboard.Channel]int `json:"capacity"`
	// Interactions held, with their state: offered, connected or wrapup.
	Interactions map[int64]switchboard.State `json:"interactions"`
	skills       map[string]bool
	tiers        int
}

// Busy reports whether the agent holds an offer or a conversation.
func (a AgentStatus) Busy() bool {
	return a.holds(switchboard.StateOffered, switchboard.StateConnected)
}

// WrappingUp reports whether the agent is in wrap-up and holds nothing else.
func (a AgentStatus) WrappingUp() bool { return !a.Busy() && a.holds(switchboard.StateWrapUp) }

func (a AgentStatus) holds(states ...switchboard.State) bool {
	for _, s := range a.Interactions {
		if slices.Contains(states, s) {
			return true
		}
	}
	return false
}

// Waiting is one interaction waiting in a queue.
type Waiting struct {
	InteractionID  int64                 `json:"interaction_id"`
	Channel        switchboard.Channel   `json:"channel"`
	Tier           switchboard.ValueTier `json:"tier"`
	CustomerID     int64                 `json:"customer_id,omitempty"`
	PreferredAgent int64                 `json:"preferred_agent,omitempty"`
	EnqueuedAt     time.Time             `json:"enqueued_at"`
	Wait           time.Duration         `json:"wait"`
}

// AgentStates returns every logged-in agent, by id.
// Errors: ErrUnavailable when Redis is unreachable.
func (e *Engine) AgentStates(ctx context.Context) ([]AgentStatus, error) {
	raw, err := e.rdb.HGetAll(ctx, e.keys.key(keyspace.Agent)).Result()
	if err != nil {
		return nil, fmt.Errorf("routing: agent states: %w", scriptError(err))
	}
	var agents []wireAgent
	var ids []string
	for _, v := range raw {
		var a wireAgent
		if err := json.Unmarshal([]byte(v), &a); err != nil {
			return nil, fmt.Errorf("routing: agent states: %w", err)
		}
		agents = append(agents, a)
		for id := range a.Its {
			ids = append(ids, id)
		}
	}
	states, err := e.taskStates(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("routing: agent states: %w", err)
	}
	out := make([]AgentStatus, 0, len(agents))
	for _, a := range agents {
		out = append(out, a.status(states))
	}
	slices.SortFunc(out, func(a, b AgentStatus) int { return int(a.AgentID - b.AgentID) })
	return out, nil
}

func (a wireAgent) status(states map[string]string) AgentStatus {
	s := AgentStatus{AgentID: a.ID, State: AgentState(a.S), Reason: a.Rs, Since: ms(a.Since),
		Load: map[switchboard.Channel]int{}, Capacity: map[switchboard.Channel]int{},
		Interactions: map[int64]switchboard.State{}, skills: a.Sk, tiers: a.Tm}
	for ch, n := range a.Ld {
		s.Load[switchboard.Channel(ch)] = n
	}
	for ch, n := range a.Cap {
		s.Capacity[switchboard.Channel(ch)] = n
	}
	for id := range a.Its {
		n, _ := strconv.ParseInt(id, 10, 64)
		s.Interactions[n] = switchboard.State(states[id])
	}
	return s
}

// taskStates reads the state of each task in ids from tstate alone; only a
// task stored before tstate has its JSON read.
func (e *Engine) taskStates(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	vals, err := e.rdb.HMGet(ctx, e.keys.key(keyspace.TaskState), ids...).Result()
	if err != nil {
		return nil, scriptError(err)
	}
	var legacy []string
	for i, v := range vals {
		s, ok := v.(string)
		if !ok {
			legacy = append(legacy, ids[i])
			continue
		}
		var t wireTask
		if err := t.setState(s); err != nil {
			return nil, fmt.Errorf("task %s: %w", ids[i], err)
		}
		out[ids[i]] = t.St
	}
	ts, err := e.readTasks(ctx, legacy)
	if err != nil {
		return nil, err
	}
	for id, t := range ts {
		out[id] = t.St
	}
	return out, nil
}

// readTasks reads the tasks ids that are being routed, with their state.
// Errors: ErrUnavailable when Redis is unreachable; a task that does not
// decode.
func (e *Engine) readTasks(ctx context.Context, ids []string) (map[string]wireTask, error) {
	out := map[string]wireTask{}
	if len(ids) == 0 {
		return out, nil
	}
	var vals, states *redis.SliceCmd
	_, err := e.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		vals = p.HMGet(ctx, e.keys.key(keyspace.Task), ids...)
		states = p.HMGet(ctx, e.keys.key(keyspace.TaskState), ids...)
		return nil
	})
	if err != nil {
		return nil, scriptError(err)
	}
	for i, v := range vals.Val() {
		s, ok := v.(string)
		if !ok {
			continue
		}
		st, _ := states.Val()[i].(string)
		t, err := decodeTask(s, st)
		if err != nil {
			return nil, fmt.Errorf("task %s: %w", ids[i], err)
		}
		out[ids[i]] = t
	}
	return out, nil
}

// Waiting returns the interactions waiting in queue, oldest arrival first.
// Errors: ErrUnavailable when Redis is unreachable.
func (e *Engine) Waiting(ctx context.Context, queue string) ([]Waiting, error) {
	members, err := e.rdb.ZRangeByLex(ctx, e.keys.key(keyspace.ByQueue), &redis.ZRangeBy{
		Min: "[" + queue + "|", Max: "(" + queue + "|\xff"}).Result()
	if err != nil {
		return nil, fmt.Errorf("routing: waiting in %s: %w", queue, scriptError(err))
	}
	if len(members) == 0 {
		return []Waiting{}, nil
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m[strings.LastIndexByte(m, '|')+1:]
	}
	ts, err := e.readTasks(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("routing: waiting in %s: %w", queue, err)
	}
	now := e.now()
	out := make([]Waiting, 0, len(ts))
	for _, id := range ids { // in byq's order
		t, ok := ts[id]
		if !ok {
			continue
		}
		out = append(out, Waiting{InteractionID: t.ID, Channel: switchboard.Channel(t.Ch),
			Tier: switchboard.ValueTier(t.T), CustomerID: t.Cu, PreferredAgent: t.P,
			EnqueuedAt: ms(t.A0), Wait: now.Sub(ms(t.A0))})
	}
	return out, nil
}
