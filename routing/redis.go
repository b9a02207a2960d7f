package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"switchboard"
)

// wireTask is a task as the scripts keep it (see lua/common.lua). Times are
// Unix milliseconds.
type wireTask struct {
	ID int64   `json:"id"`
	Ch string  `json:"ch"`
	Q  string  `json:"q"`
	T  string  `json:"t"`
	R  int     `json:"r"`  // tier rank
	Sk strList `json:"sk"` // required skills: the task's and the queue's
	OS strList `json:"os"` // the task's own skills, kept across transfers
	Cu int64   `json:"cu"`
	P  int64   `json:"p"`  // preferred agent (RM), or 0
	RU int64   `json:"ru"` // waits for P until then
	RS int64   `json:"rs"` // ring step: widen to the next tier ring every RS ms; 0 never
	A0 int64   `json:"a0"` // original arrival
	E  int64   `json:"e"`  // when it entered its current queue (ring epoch)
	Sc int64   `json:"sc"` // priority score: arrival minus tier credit
	SL int64   `json:"sl"` // service-level threshold
	OW int64   `json:"ow"` // overflow due, or 0
	// Set by the scripts.
	M  string `json:"m,omitempty"`
	St string `json:"st,omitempty"`
	Ag int64  `json:"ag"`
	X  int64  `json:"x"`            // offer expiry or wrap-up end
	WS int64  `json:"ws,omitempty"` // wrap-up start, for a rebuild to restore
}

// decodeTask reads a task as the operations store it: the JSON of what stays
// the same while it waits, and its state "st|ag|x" (see lua/common.lua).
// With no state, the JSON holds it, as stored before.
func decodeTask(v, state string) (wireTask, error) {
	var t wireTask
	if err := json.Unmarshal([]byte(v), &t); err != nil {
		return t, err
	}
	if state == "" {
		return t, nil
	}
	return t, t.setState(state)
}

// setState reads a task's state "st|ag|x|..." (the rest copies the JSON).
func (t *wireTask) setState(state string) error {
	st, rest, _ := strings.Cut(state, "|")
	ag, rest, _ := strings.Cut(rest, "|")
	x, _, _ := strings.Cut(rest, "|")
	var err1, err2 error
	t.St = st
	t.Ag, err1 = strconv.ParseInt(ag, 10, 64)
	t.X, err2 = strconv.ParseInt(x, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("task state %q: %w", state, err)
	}
	return nil
}

// wireAgent is an agent as the scripts keep it.
type wireAgent struct {
	ID    int64             `json:"id"`
	Sk    map[string]bool   `json:"sk"`
	Tm    int               `json:"tm"` // bit r set: may serve the tier of rank r
	Cap   map[string]int    `json:"cap"`
	Lo    int               `json:"lo"` // 1: choose by least occupied
	G     string            `json:"g"`  // its group in the free-agent index: see groupOf
	Op    int               `json:"op"` // offers it may hold at a time; 0 for no limit
	Of    int               `json:"of"` // offers it holds
	Ld    map[string]int    `json:"ld"`
	Its   map[string]string `json:"its"` // interaction id -> channel
	Idle  int64             `json:"idle"`
	S     string            `json:"s"`
	Rs    string            `json:"rs"`
	Since int64             `json:"since"`
}

// wireEvent is an event as the scripts publish it.
type wireEvent struct {
	K  string          `json:"k"`
	I  int64           `json:"i"`
	A  int64           `json:"a"`
	Ch string          `json:"ch"`
	Q  string          `json:"q"`
	T  string          `json:"t"`
	Cu int64           `json:"cu"`
	S  string          `json:"s"`
	R  string          `json:"r"`
	X  int64           `json:"x"`
	E  int64           `json:"e"`
	At int64           `json:"at"`
	V  int64           `json:"v"` // the order Redis decided in
	D  json.RawMessage `json:"d,omitempty"`
}

func ms(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.UnixMilli(t).UTC()
}

func (w wireEvent) event() Event {
	return Event{Kind: w.K, InteractionID: w.I, AgentID: w.A, Channel: switchboard.Channel(w.Ch),
		Queue: w.Q, Tier: switchboard.ValueTier(w.T), CustomerID: w.Cu, State: w.S, Reason: w.R,
		Expires: ms(w.X), EnqueuedAt: ms(w.E), At: ms(w.At)}
}

// tail is the arguments every matching operation ends with.
func (e *Engine) tail() []any { return e.tailScanning(e.cfg.ScanWaiting) }

// tailScanning is tail with the waiting interactions to look at.
func (e *Engine) tailScanning(waiting int) []any {
	return []any{e.cfg.ReservationTimeout.Milliseconds(), waiting}
}

// run calls an operation that takes (agent, interaction, ...) and matches.
func (e *Engine) run(ctx context.Context, op string, agentID, interactionID int64, more ...any) error {
	args := append([]any{agentID, interactionID}, more...)
	_, err := e.call(ctx, op, append(args, e.tail()...)...)
	if err == nil && e.writes != nil {
		// A retry that finds its change made answers once its record is.
		err = e.writes.settle(ctx, interactionID)
	}
	if err != nil {
		return fmt.Errorf("routing: agent %d, interaction %d: %w", agentID, interactionID, err)
	}
	return nil
}

// call runs an operation with the current time, handles the events it returns
// and, when Redis has lost the routing state, rebuilds it and tries again.
func (e *Engine) call(ctx context.Context, op string, args ...any) ([]wireEvent, error) {
	for attempt := 0; ; attempt++ {
		now := e.now()
		later := e.takeLater()
		e.deciding.Add(int64(1 + len(later)))
		res, err := e.batch.do(ctx, op, e.keys.script(now), append([]any{now.UnixMilli()}, args...), later...)
		lerr := e.handleLater(ctx, later)
		if err == nil {
			e.sawState.Store(true)
			evs, err := e.handle(ctx, res)
			if lerr != nil {
				return nil, lerr
			}
			return evs, err
		}
		e.deciding.Add(-1)
		if lerr != nil {
			return nil, lerr
		}
		if strings.Contains(err.Error(), "NOSTATE") && attempt < 3 {
			if err := e.recoverState(ctx); err != nil {
				return nil, err
			}
			continue
		}
		return nil, scriptError(err)
	}
}

// acceptLater queues the agent's acceptance of its offer, to run ahead of
// the engine's next operation in the same call to Redis. The simulator
// answers every offer at once and needs nothing back from the answer: this
// saves it a round trip per interaction.
func (e *Engine) acceptLater(agentID, interactionID int64) {
	now := e.now()
	e.laterMu.Lock()
	e.later = append(e.later, newOp(context.Background(), opAccept, e.keys.script(now),
		append([]any{now.UnixMilli(), agentID, interactionID}, e.tail()...)))
	e.laterMu.Unlock()
}

// flushLater runs what acceptLater queued, if anything.
func (e *Engine) flushLater(ctx context.Context) error {
	later := e.takeLater()
	if len(later) == 0 {
		return nil
	}
	e.deciding.Add(int64(len(later)))
	e.batch.add(later...)
	return e.handleLater(ctx, later)
}

func (e *Engine) takeLater() []*opCall {
	e.laterMu.Lock()
	defer e.laterMu.Unlock()
	l := e.later
	e.later = nil
	return l
}

// handleLater handles the results of operations queued by acceptLater,
// every one of them: a decision Redis made is recorded even when an
// earlier one failed. It returns the first failure.
func (e *Engine) handleLater(ctx context.Context, later []*opCall) error {
	var first error
	for _, o := range later {
		<-o.done // the batcher answers every operation, whatever ctx does
		if o.err == nil {
			_, o.err = e.handle(ctx, o.res)
		} else {
			e.deciding.Add(-1)
		}
		if o.err != nil && first == nil {
			first = fmt.Errorf("routing: %s %v: %w", o.name, o.args[1:], scriptError(o.err))
		}
	}
	return first
}

// scriptError turns a script's refusal into an error of a known kind.
func scriptError(err error) error {
	msg := err.Error()
	for code, kind := range map[string]error{"NOTFOUND": switchboard.ErrNotFound, "CONFLICT": switchboard.ErrConflict,
		"INVALID": switchboard.ErrInvalid} {
		if i := strings.Index(msg, code+" "); i >= 0 {
			m := msg[i+len(code)+1:]
			if j := strings.Index(m, " script:"); j >= 0 {
				m = m[:j]
			}
			return switchboard.Errorf(kind, "%s", strings.TrimSpace(m))
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", switchboard.Errorf(switchboard.ErrUnavailable, "routing is unavailable"), err)
}

// handle records the events a script returned in Postgres, gives them to
// the local observer, and carries out the overflows the sweeper found due.
func (e *Engine) handle(ctx context.Context, res []string) ([]wireEvent, error) {
	evs := make([]wireEvent, 0, len(res))
	var due []wireEvent
	for _, s := range res {
		var w wireEvent
		if err := json.Unmarshal([]byte(s), &w); err != nil {
			e.deciding.Add(-1)
			return nil, fmt.Errorf("routing: decode event %q: %w", s, err)
		}
		if w.K == "overflow_due" {
			due = append(due, w)
			continue
		}
		evs = append(evs, w)
	}
	// Redis has decided: whatever Postgres answers, the events happened
	// and are told. A record not yet durable is still being made again;
	// the caller is told it is not done (ErrUnavailable), so what an agent
	// or a webhook hears as done is in Postgres.
	recorded := e.persist(ctx, evs)
	e.deciding.Add(-1) // handed to writes (or failed for good): quiet now waits on writes
	if recorded != nil {
		e.log.Warn("routing: records not durable yet, retrying", "err", recorded, "events", len(evs))
	}
	if e.cfg.Events != nil {
		for _, w := range evs {
			e.cfg.Events(w.event())
		}
	}
	for _, w := range due {
		if err := e.overflow(ctx, w.I, w.Q); err != nil {
			e.log.Warn("routing: overflow", "interaction", w.I, "err", err)
		}
	}
	if recorded != nil {
		return evs, fmt.Errorf("routing: record: %w", recorded)
	}
	return evs, nil
}

// strList is a list of strings that also reads "{}": Lua's JSON encoder
// cannot tell an empty array from an empty object.
type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	if string(b) == "{}" {
		*l = strList{}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}
