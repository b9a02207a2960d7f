package routing

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/testenv"
)

// crowd is a contact centre under load for the stress and flush tests:
// several engines, agents who accept, decline or ignore offers at random,
// callers who hang up, and a checker of the invariants.
type crowd struct {
	t       *testing.T
	ctx     context.Context
	pool    *pgxpool.Pool
	rdb     *redis.Client
	prefix  string
	engines []*Engine
	inbox   map[int64]chan Event
	stream  chan Event
	checks  atomic.Int64
	failed  atomic.Bool
}

func newCrowd(t *testing.T, ctx context.Context, engines, agents int) *crowd {
	pool := testenv.MustOpenDB(t)
	rdb, prefix := testenv.MustRedis(t)
	c := &crowd{t: t, ctx: ctx, pool: pool, rdb: rdb, prefix: prefix, inbox: map[int64]chan Event{},
		stream: make(chan Event, 100000)}
	c.engines = pgEngines(t, ctx, pool, prefix, engines, Config{ReservationTimeout: 300 * time.Millisecond,
		WrapUp: 20 * time.Millisecond, SweepEvery: 20 * time.Millisecond, RMWait: 50 * time.Millisecond})
	for _, id := range seedAgents(t, pool, agents) {
		c.inbox[id] = make(chan Event, 1000)
	}
	return c
}

// listen delivers every event to the agent it concerns and to the stream.
func (c *crowd) listen() {
	evs, err := c.engines[0].Subscribe(c.ctx)
	must(c.t, err)
	go func() {
		for ev := range evs {
			if in, ok := c.inbox[ev.AgentID]; ok {
				in <- ev
			}
			c.stream <- ev
		}
	}()
}

func (c *crowd) engine(id int64) *Engine { return c.engines[int(id)%len(c.engines)] }

// tolerated are the refusals a participant may meet in a race it cannot
// see: the offer expired, the caller hung up, Redis is being rebuilt.
func tolerated(err error) bool {
	return err == nil || errors.Is(err, switchboard.ErrNotFound) || errors.Is(err, switchboard.ErrConflict) ||
		errors.Is(err, switchboard.ErrUnavailable) || errors.Is(err, context.Canceled)
}

func (c *crowd) check(what string, err error) {
	if !tolerated(err) {
		c.failed.Store(true)
		c.t.Errorf("%s: %v", what, err)
	}
}

// agent plays one agent until ctx ends.
func (c *crowd) agent(wg *sync.WaitGroup, id int64, seed uint64) {
	defer wg.Done()
	rng := rand.New(rand.NewPCG(seed, 1))
	e := c.engine(id)
	c.check("login", e.Login(c.ctx, id))
	for {
		select {
		case <-c.ctx.Done():
			return
		case ev := <-c.inbox[id]:
			c.react(e, rng, id, ev)
		case <-time.After(50 * time.Millisecond):
			// Back from a missed offer's break, whatever the events said
			// (a rebuild restores state without events).
			if err := e.SetState(c.ctx, id, AgentAvailable, ""); errors.Is(err, switchboard.ErrNotFound) {
				c.check("login again", e.Login(c.ctx, id))
			}
		}
	}
}

func (c *crowd) react(e *Engine, rng *rand.Rand, id int64, ev Event) {
	switch {
	case ev.Kind == EventOffer:
		switch r := rng.IntN(10); {
		case r < 7:
			err := e.Accept(c.ctx, id, ev.InteractionID)
			c.check("accept", err)
			if err != nil {
				return
			}
			time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond)
			c.check("complete", e.Complete(c.ctx, id, ev.InteractionID))
			if rng.IntN(2) == 0 {
				c.check("wrap-up done", e.WrapUpDone(c.ctx, id, ev.InteractionID))
			}
		case r < 9:
			c.check("decline", e.Decline(c.ctx, id, ev.InteractionID))
		default: // ignore it: the offer times out and the agent goes on break
		}
	case ev.Kind == EventAgentState && ev.State == string(AgentBreak):
		c.check("available", e.SetState(c.ctx, id, AgentAvailable, ""))
	}
}

// callers enqueue the tasks across engines; one in ten hangs up.
func (c *crowd) callers(tasks []Task, goroutines int) {
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 2))
			for i := g; i < len(tasks); i += goroutines {
				tk := tasks[i]
				e := c.engine(tk.InteractionID)
				if err := e.Enqueue(c.ctx, tk); err != nil {
					c.failed.Store(true)
					c.t.Errorf("enqueue: %v", err)
				}
				if rng.IntN(10) == 0 {
					time.Sleep(time.Duration(rng.IntN(5)) * time.Millisecond)
					c.check("cancel", e.Cancel(c.ctx, tk.InteractionID, "hangup"))
				}
				time.Sleep(time.Duration(rng.IntN(2)) * time.Millisecond)
			}
		}()
	}
	wg.Wait()
}

// checker checks the invariants on consistent snapshots until ctx ends.
func (c *crowd) checker(wg *sync.WaitGroup, ctx context.Context) {
	defer wg.Done()
	k := newKeys(c.prefix, "main")
	for ctx.Err() == nil {
		tasks, agents, err := snapshot(ctx, c.rdb, k)
		if err != nil {
			continue
		}
		if err := checkInvariants(tasks, agents); err != nil {
			c.failed.Store(true)
			c.t.Errorf("invariant broken: %v", err)
			return
		}
		c.checks.Add(1)
	}
}

// waitEnded waits until every interaction has ended in Postgres.
func (c *crowd) waitEnded(n int, within time.Duration) {
	deadline := time.Now().Add(within)
	for {
		var live int
		err := c.pool.QueryRow(c.ctx, `SELECT count(*) FROM interactions WHERE state NOT IN ('done', 'abandoned')`).Scan(&live)
		must(c.t, err)
		if live == 0 {
			return
		}
		if time.Now().After(deadline) || c.failed.Load() {
			rows, _ := c.pool.Query(c.ctx, `SELECT state, count(*) FROM interactions GROUP BY 1`)
			for rows.Next() {
				var s string
				var k int
				rows.Scan(&s, &k)
				c.t.Logf("%s: %d", s, k)
			}
			rows.Close()
			st, err := c.engines[0].AgentStates(c.ctx)
			c.t.Logf("agents %+v %v", st, err)
			c.t.Fatalf("%d of %d interactions still live after %v", live, n, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestStress runs three engines (each with its own Redis client and sweeper)
// on one Redis, with agents and callers racing, and checks the invariants
// on every snapshot; then that every interaction ended, and that the event
// stream never shows an interaction offered while already offered.
func TestStress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newCrowd(t, ctx, 3, 12)
	c.listen()
	tasks := seedInteractions(t, c.pool, 300)
	var wg, cw sync.WaitGroup
	i := 0
	for id := range c.inbox {
		wg.Add(1)
		i++
		go c.agent(&wg, id, uint64(i))
	}
	checkCtx, stopCheck := context.WithCancel(ctx)
	cw.Add(1)
	go c.checker(&cw, checkCtx)
	c.callers(tasks, 8)
	c.waitEnded(len(tasks), 30*time.Second)
	stopCheck()
	cw.Wait()
	cancel()
	wg.Wait()
	if c.checks.Load() < 10 {
		t.Fatalf("only %d invariant checks ran", c.checks.Load())
	}
	t.Logf("%d snapshots checked", c.checks.Load())
	checkStream(t, c.stream, len(tasks))
	checkHistory(t, c.pool)
}

// checkStream replays the events in Redis order: an offer only of an
// interaction not on offer, an acceptance only of the live offer, and every
// interaction ends once.
func checkStream(t *testing.T, stream chan Event, n int) {
	offeredTo := map[int64]int64{}
	ended := map[int64]string{}
	for len(stream) > 0 {
		ev := <-stream
		id := ev.InteractionID
		switch ev.Kind {
		case EventOffer:
			if a := offeredTo[id]; a != 0 {
				t.Fatalf("interaction %d offered to %d while on offer to %d", id, ev.AgentID, a)
			}
			offeredTo[id] = ev.AgentID
		case EventOfferWithdrawn:
			offeredTo[id] = 0
		case EventAccepted:
			if offeredTo[id] != ev.AgentID {
				t.Fatalf("interaction %d accepted by %d, offered to %d", id, ev.AgentID, offeredTo[id])
			}
			offeredTo[id] = -1 // answered: no further offer until transferred
		case EventDone, EventAbandoned:
			if ended[id] != "" {
				t.Fatalf("interaction %d ended twice: %s, %s", id, ended[id], ev.Kind)
			}
			ended[id] = ev.Kind
		}
	}
	if len(ended) != n {
		t.Fatalf("%d interactions ended in the stream, want %d", len(ended), n)
	}
}

// checkHistory checks Postgres: each interaction answered at most once, and
// every done one answered.
func checkHistory(t *testing.T, pool *pgxpool.Pool) {
	var bad int
	err := pool.QueryRow(context.Background(), `SELECT count(*) FROM interactions i WHERE
		(SELECT count(*) FROM interaction_events e WHERE e.interaction_id = i.id AND e.kind = 'accepted') > 1
		OR (i.state = 'done' AND i.answered_at IS NULL)`).Scan(&bad)
	must(t, err)
	if bad > 0 {
		rows, _ := pool.Query(context.Background(), `SELECT i.id, i.state, i.answered_at IS NULL,
			(SELECT string_agg(e.kind || ':' || coalesce(e.agent_id, 0) || ':' || coalesce(e.routing_seq, 0), ' ' ORDER BY e.id) FROM interaction_events e WHERE e.interaction_id = i.id)
			FROM interactions i WHERE (SELECT count(*) FROM interaction_events e WHERE e.interaction_id = i.id AND e.kind = 'accepted') > 1
			OR (i.state = 'done' AND i.answered_at IS NULL)`)
		for rows.Next() {
			var id int64
			var st, evs string
			var un bool
			rows.Scan(&id, &st, &un, &evs)
			t.Logf("interaction %d %s unanswered=%v: %s", id, st, un, evs)
		}
		rows.Close()
		t.Fatalf("%d interactions answered twice or done unanswered", bad)
	}
}
