package routing

import (
	"container/heap"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
)

// SimConfig describes a simulated contact centre: one voice queue, agents
// who serve every tier and skill, Poisson arrivals per tier, exponential
// handle times and (optionally) exponential caller patience.
type SimConfig struct {
	Agents      int
	AHT         time.Duration                     // mean handle time
	Rates       map[switchboard.ValueTier]float64 // arrivals per second
	Duration    time.Duration                     // simulated time during which calls arrive
	SLThreshold time.Duration
	Patience    time.Duration                           // mean patience; 0: nobody abandons
	Aging       map[switchboard.ValueTier]time.Duration // nil: DefaultAging
	WrapUp      time.Duration                           // 0: none
	Seed        uint64
	Centre      string
	Prefix      string // "" chooses a fresh one; the keys are deleted at the end either way
}

// SimTier is the outcome for one tier, or all of them.
type SimTier struct {
	Offered      int     `json:"offered"`
	Answered     int     `json:"answered"`
	Abandoned    int     `json:"abandoned"`
	ASA          float64 `json:"asa_s"`         // mean wait of the answered, seconds
	MeanWait     float64 `json:"mean_wait_s"`   // mean wait of all, answered or abandoned
	ServiceLevel float64 `json:"service_level"` // answered within the threshold / offered
}

// SimResult is what `switchboardctl sim --json` prints.
type SimResult struct {
	Tiers     map[switchboard.ValueTier]SimTier `json:"tiers"`
	Total     SimTier                           `json:"total"`
	Occupancy float64                           `json:"occupancy"` // share of agent time spent in conversation
}

func (c SimConfig) check() error {
	bad := func(f string, a ...any) error { return switchboard.Errorf(switchboard.ErrInvalid, "sim: "+f, a...) }
	switch {
	case c.Agents <= 0:
		return bad("--agents must be positive")
	case c.AHT <= 0:
		return bad("--aht must be positive")
	case c.Duration <= 0:
		return bad("--duration must be positive")
	case c.SLThreshold < 0 || c.Patience < 0:
		return bad("--sl-threshold and --patience must not be negative")
	}
	total := 0.0
	for t, r := range c.Rates {
		if t.Rank() < 0 || r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
			return bad("bad rate %v for tier %q", r, t)
		}
		total += r
	}
	if total == 0 {
		return bad("--rate needs at least one tier with arrivals")
	}
	return nil
}

// Simulate runs the real engine on rdb with a virtual clock: nothing
// sleeps, time jumps from one event to the next. Every offer is accepted at
// once (the agents are attentive), so waits are queueing delay.
func Simulate(ctx context.Context, rdb redis.UniversalClient, cfg SimConfig) (SimResult, error) {
	if err := cfg.check(); err != nil {
		return SimResult{}, err
	}
	if cfg.Prefix == "" {
		b := make([]byte, 6)
		rand.Read(b)
		cfg.Prefix = "sim:" + hex.EncodeToString(b) + ":"
	}
	defer deletePrefix(context.WithoutCancel(ctx), rdb, cfg.Prefix)
	s, err := newSim(cfg, rdb)
	if err != nil {
		return SimResult{}, err
	}
	if err := s.run(ctx); err != nil {
		return SimResult{}, err
	}
	return s.result(), nil
}

type simCall struct {
	tier              switchboard.ValueTier
	arrived, answered float64 // seconds; answered < 0 while waiting
	abandoned         bool
}

type sim struct {
	cfg     SimConfig
	e       *Engine
	rng     *mrand.Rand
	epoch   time.Time
	now     float64 // virtual seconds since epoch
	events  simHeap
	calls   map[int64]*simCall
	nextID  int64
	pending []Event
	busy    float64 // agent-seconds in conversation within the duration
}

func newSim(cfg SimConfig, rdb redis.UniversalClient) (*sim, error) {
	s := &sim{cfg: cfg, rng: mrand.New(mrand.NewPCG(cfg.Seed, cfg.Seed^0x5eed)),
		epoch: time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC), calls: map[int64]*simCall{}}
	agents := make([]AgentProfile, cfg.Agents)
	for i := range agents {
		agents[i] = AgentProfile{ID: int64(i + 1), Tiers: switchboard.ValueTiers,
			Capacity: map[switchboard.Channel]int{switchboard.ChannelVoice: 1}}
	}
	wrap := cfg.WrapUp
	if wrap == 0 {
		wrap = -1
	}
	e, err := New(Config{Centre: cfg.Centre, Prefix: cfg.Prefix, Aging: cfg.Aging, Agents: agents,
		Rings: map[switchboard.ValueTier]time.Duration{}, WrapUp: wrap, SLThreshold: cfg.SLThreshold,
		Queues: []Queue{{Name: "sim", SLThreshold: max(cfg.SLThreshold, time.Millisecond)}},
		Events: func(ev Event) { s.pending = append(s.pending, ev) }}, rdb, nil, nil, s.clock)
	if err != nil {
		return nil, err
	}
	s.e = e
	return s, nil
}

func (s *sim) clock() time.Time {
	return s.epoch.Add(time.Duration(s.now * float64(time.Second)))
}

func (s *sim) exp(mean float64) float64 { return s.rng.ExpFloat64() * mean }

func (s *sim) run(ctx context.Context) error {
	for id := 1; id <= s.cfg.Agents; id++ {
		if err := s.e.Login(ctx, int64(id)); err != nil {
			return err
		}
	}
	s.pending = nil
	for _, t := range switchboard.ValueTiers {
		if r := s.cfg.Rates[t]; r > 0 {
			heap.Push(&s.events, simEvent{at: s.exp(1 / r), kind: simArrive, tier: t})
		}
	}
	for s.events.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		ev := heap.Pop(&s.events).(simEvent)
		s.now = ev.at
		if err := s.step(ctx, ev); err != nil {
			return err
		}
		if err := s.answer(ctx); err != nil {
			return err
		}
	}
	return s.e.flushLater(ctx)
}

func (s *sim) step(ctx context.Context, ev simEvent) error {
	switch ev.kind {
	case simArrive:
		if next := s.now + s.exp(1/s.cfg.Rates[ev.tier]); next <= s.cfg.Duration.Seconds() {
			heap.Push(&s.events, simEvent{at: next, kind: simArrive, tier: ev.tier})
		}
		s.nextID++
		s.calls[s.nextID] = &simCall{tier: ev.tier, arrived: s.now, answered: -1}
		if s.cfg.Patience > 0 {
			heap.Push(&s.events, simEvent{at: s.now + s.exp(s.cfg.Patience.Seconds()), kind: simAbandon, id: s.nextID})
		}
		return s.e.Enqueue(ctx, Task{InteractionID: s.nextID, Channel: switchboard.ChannelVoice, Queue: "sim",
			Tier: ev.tier, EnqueuedAt: s.clock()})
	case simAbandon:
		c := s.calls[ev.id]
		if c.answered >= 0 {
			return nil
		}
		c.abandoned = true
		c.answered = s.now // the time it left, for its wait
		return s.e.Cancel(ctx, ev.id, "hangup")
	case simFinish:
		return s.e.Complete(ctx, ev.agent, ev.id)
	case simWrapped:
		err := s.e.WrapUpDone(ctx, ev.agent, ev.id)
		if errors.Is(err, switchboard.ErrNotFound) {
			return nil // the engine's own wrap-up timer got there first
		}
		return err
	}
	return fmt.Errorf("sim: unknown event %d", ev.kind)
}

// answer accepts every offer the last step produced and schedules the end
// of each conversation.
func (s *sim) answer(ctx context.Context) error {
	for len(s.pending) > 0 {
		evs := s.pending
		s.pending = nil
		for _, ev := range evs {
			if ev.Kind != EventOffer {
				continue
			}
			s.e.acceptLater(ev.AgentID, ev.InteractionID) // with the next step's operation
			c := s.calls[ev.InteractionID]
			c.answered = s.now
			end := s.now + s.exp(s.cfg.AHT.Seconds())
			s.busy += math.Max(0, math.Min(end, s.cfg.Duration.Seconds())-s.now)
			heap.Push(&s.events, simEvent{at: end, kind: simFinish, id: ev.InteractionID, agent: ev.AgentID})
			if s.cfg.WrapUp > 0 {
				heap.Push(&s.events, simEvent{at: end + s.cfg.WrapUp.Seconds(), kind: simWrapped,
					id: ev.InteractionID, agent: ev.AgentID})
			}
		}
	}
	return nil
}

func (s *sim) result() SimResult {
	type acc struct {
		SimTier
		waitAll, waitAns float64
		inSL             int
	}
	per := map[switchboard.ValueTier]*acc{}
	var total acc
	for id := int64(1); id <= s.nextID; id++ { // in order: sums come out the same every run
		c := s.calls[id]
		for _, a := range []*acc{per[c.tier], &total} {
			if a == nil {
				a = &acc{}
				per[c.tier] = a
			}
			w := c.answered - c.arrived
			a.Offered++
			a.waitAll += w
			if c.abandoned {
				a.Abandoned++
				continue
			}
			a.Answered++
			a.waitAns += w
			if w <= s.cfg.SLThreshold.Seconds() {
				a.inSL++
			}
		}
	}
	final := func(a *acc) SimTier {
		t := a.SimTier
		if t.Offered > 0 {
			t.MeanWait = a.waitAll / float64(t.Offered)
			t.ServiceLevel = float64(a.inSL) / float64(t.Offered)
		}
		if t.Answered > 0 {
			t.ASA = a.waitAns / float64(t.Answered)
		}
		return t
	}
	r := SimResult{Tiers: map[switchboard.ValueTier]SimTier{}, Total: final(&total),
		Occupancy: s.busy / (float64(s.cfg.Agents) * s.cfg.Duration.Seconds())}
	for t, a := range per {
		r.Tiers[t] = final(a)
	}
	return r
}

const (
	simArrive = iota
	simAbandon
	simFinish
	simWrapped
)

type simEvent struct {
	at        float64
	kind      int
	tier      switchboard.ValueTier
	id, agent int64
}

// simHeap orders events by time, then by kind so that at equal times an
// ending conversation frees its agent before the next arrival is routed.
type simHeap []simEvent

func (h simHeap) Len() int { return len(h) }
func (h simHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].kind > h[j].kind
}
func (h simHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *simHeap) Push(x any)   { *h = append(*h, x.(simEvent)) }
func (h *simHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// deletePrefix removes the simulator's keys.
func deletePrefix(ctx context.Context, rdb redis.UniversalClient, prefix string) {
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			rdb.Unlink(ctx, batch...)
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		rdb.Unlink(ctx, batch...)
	}
}
