package routing

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/internal/testenv"
)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recorder keeps the events an engine reports locally.
type recorder struct {
	mu  sync.Mutex
	evs []Event
}

func (r *recorder) add(e Event) {
	r.mu.Lock()
	r.evs = append(r.evs, e)
	r.mu.Unlock()
}

// take returns and forgets the events so far.
func (r *recorder) take() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.evs
	r.evs = nil
	return out
}

// offers returns interaction -> agent of the offer events in evs.
func offers(evs []Event) map[int64]int64 {
	out := map[int64]int64{}
	for _, e := range evs {
		if e.Kind == EventOffer {
			out[e.InteractionID] = e.AgentID
		}
	}
	return out
}

var allTiers = []switchboard.ValueTier{switchboard.TierPrivate, switchboard.TierVIP, switchboard.TierStandard, switchboard.TierMass}

// memEngine is an engine without Postgres on a fresh key prefix.
func memEngine(t testing.TB, cfg Config, clk *clock) (*Engine, *recorder) {
	t.Helper()
	rdb, prefix := testenv.MustRedis(t)
	cfg.Prefix = prefix
	rec := &recorder{}
	cfg.Events = rec.add
	if cfg.Queues == nil {
		cfg.Queues = []Queue{{Name: "general"}}
	}
	e, err := New(cfg, rdb, nil, nil, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return e, rec
}

func agent(id int64, skills []string, tiers ...switchboard.ValueTier) AgentProfile {
	if tiers == nil {
		tiers = allTiers
	}
	return AgentProfile{ID: id, Skills: skills, Tiers: tiers, Capacity: switchboard.DefaultCapacity()}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var _ = (*pgxpool.Pool)(nil)
var _ = context.Background
