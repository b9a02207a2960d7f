package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

// TestPostgresRestartUnderLoad restarts Postgres while agents answer, end
// and wrap up conversations and callers hang up. Every decision the engine
// acknowledged must be in Postgres once it is back, whatever write the
// restart cut off: afterwards Postgres and Redis agree on every
// interaction and every agent, and every agent can still take and wrap up
// a call.
func TestPostgresRestartUnderLoad(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pg := testenv.MustPrivatePostgres(t)
	pool, err := pgdb.Open(ctx, pg.URL)
	must(t, err)
	defer pool.Close()
	rdb, prefix := testenv.MustRedis(t)
	w := &restartWorld{t: t, ctx: ctx, pool: pool, offers: make(chan Event, 1000), rng: rand.New(rand.NewPCG(7, 11))}
	cfg := Config{Prefix: prefix, Queues: []Queue{{Name: "general"}}, WrapUp: 30 * time.Second,
		Events: w.event}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w.e, err = New(cfg, rdb, pool, log, time.Now)
	must(t, err)
	go w.e.Run(ctx)
	w.agents = seedAgents(t, pool, 12)
	for _, a := range w.agents {
		w.retry(fmt.Sprintf("login %d", a), func() error { return w.e.Login(ctx, a) })
	}
	tasks := seedInteractions(t, pool, 240)

	var answering sync.WaitGroup
	for range 8 {
		answering.Add(1)
		go func() { defer answering.Done(); w.answer() }()
	}
	for i, tk := range tasks {
		if i == len(tasks)/3 {
			go pg.Restart(2 * time.Second)
		}
		w.retry(fmt.Sprintf("enqueue %d", tk.InteractionID), func() error { return w.e.Enqueue(ctx, tk) })
		if w.rng.IntN(6) == 0 { // a caller gives up
			id := tasks[w.rng.IntN(i+1)].InteractionID
			w.retry(fmt.Sprintf("cancel %d", id), func() error { return w.e.Cancel(ctx, id, "hangup") })
		}
		time.Sleep(15 * time.Millisecond)
	}
	w.drain()
	w.mu.Lock()
	close(w.offers)
	w.lastOffer = map[int64]int64{}
	w.mu.Unlock()
	answering.Wait()
	w.e.writes.wait()
	w.agree()
	w.everyAgentServes()
}

type restartWorld struct {
	t      *testing.T
	ctx    context.Context
	e      *Engine
	pool   *pgxpool.Pool
	agents []int64
	rng    *rand.Rand

	mu        sync.Mutex
	offers    chan Event      // to the desks, under load
	lastOffer map[int64]int64 // agent -> interaction, once the load is over
}

func (w *restartWorld) event(ev Event) {
	if ev.Kind != EventOffer {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastOffer != nil {
		w.lastOffer[ev.AgentID] = ev.InteractionID
		return
	}
	w.offers <- ev
}

// retry makes a call until it succeeds or is refused for good: a temporary
// failure (routing or its records unavailable) is what a desk retries.
// Not found and conflict are answers (the caller hung up, another agent
// took it).
func (w *restartWorld) retry(what string, f func() error) {
	w.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := f()
		switch {
		case err == nil, errors.Is(err, switchboard.ErrNotFound), errors.Is(err, switchboard.ErrConflict):
			return
		case !errors.Is(err, switchboard.ErrUnavailable):
			w.t.Errorf("%s: %v (not temporary)", what, err)
			return
		case time.Now().After(deadline):
			w.t.Errorf("%s: still failing after 30 s: %v", what, err)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// answer is an agent's desk: accept each offer, talk a moment, end the
// conversation and wrap up.
func (w *restartWorld) answer() {
	for ev := range w.offers {
		a, id := ev.AgentID, ev.InteractionID
		w.retry(fmt.Sprintf("accept %d", id), func() error { return w.e.Accept(w.ctx, a, id) })
		time.Sleep(20 * time.Millisecond)
		w.retry(fmt.Sprintf("complete %d", id), func() error { return w.e.Complete(w.ctx, a, id) })
		w.retry(fmt.Sprintf("wrap up %d", id), func() error { return w.e.WrapUpDone(w.ctx, a, id) })
	}
}

// drain waits until nothing waits, is offered or is talked to.
func (w *restartWorld) drain() {
	w.t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) {
		tasks, _, err := snapshot(w.ctx, w.e.rdb, w.e.keys)
		if err == nil && len(tasks) == 0 && len(w.offers) == 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	w.t.Fatal("interactions still in routing 40 s after the last arrival")
}

// agree compares Postgres with Redis: no interaction routing holds is
// anything but ended in Postgres, and every agent's presence matches.
func (w *restartWorld) agree() {
	w.t.Helper()
	tasks, rawAgents, err := snapshot(w.ctx, w.e.rdb, w.e.keys)
	must(w.t, err)
	rows, err := w.pool.Query(w.ctx, `SELECT id, state FROM interactions`)
	must(w.t, err)
	defer rows.Close()
	for rows.Next() {
		var id int64
		var state string
		must(w.t, rows.Scan(&id, &state))
		want := "done or abandoned"
		if t, ok := tasks[strconv.FormatInt(id, 10)]; ok {
			want = t.St
		}
		if switchboard.State(state).Terminal() && want == "done or abandoned" || state == want {
			continue
		}
		w.t.Errorf("interaction %d is %s in Postgres, %s in Redis", id, state, want)
	}
	must(w.t, rows.Err())
	for _, id := range w.agents {
		var state string
		must(w.t, w.pool.QueryRow(w.ctx, `SELECT state FROM agent_presence WHERE agent_id = $1`, id).Scan(&state))
		if _, ok := rawAgents[strconv.FormatInt(id, 10)]; !ok || state != string(AgentAvailable) {
			w.t.Errorf("agent %d is %s in Postgres, in Redis: %v", id, state, ok)
		}
	}
}

// everyAgentServes gives each agent a call of its own and sees it through.
func (w *restartWorld) everyAgentServes() {
	w.t.Helper()
	for _, tk := range seedInteractions(w.t, w.pool, len(w.agents)*3) {
		if tk.Channel == switchboard.ChannelVoice {
			must(w.t, w.e.Enqueue(w.ctx, tk))
		}
	}
	w.mu.Lock()
	offers := w.lastOffer
	w.mu.Unlock()
	for _, a := range w.agents {
		id, ok := offers[a]
		if !ok {
			w.t.Errorf("agent %d got no call", a)
			continue
		}
		must(w.t, w.e.Accept(w.ctx, a, id))
		must(w.t, w.e.Complete(w.ctx, a, id))
		must(w.t, w.e.WrapUpDone(w.ctx, a, id))
	}
}
