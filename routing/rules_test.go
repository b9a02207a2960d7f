package routing

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard"
	"switchboard/internal/keyspace"
)

var (
	voice = switchboard.ChannelVoice
	chat  = switchboard.ChannelChat
)

func task(id int64, ch switchboard.Channel, tier switchboard.ValueTier) Task {
	return Task{InteractionID: id, Channel: ch, Queue: "general", Tier: tier}
}

// TestPriority: with every agent busy, the order in which waiting calls are
// offered when agent 1 frees up, under each aging rule.
func TestPriority(t *testing.T) {
	type arrival struct {
		id   int64
		tier switchboard.ValueTier
		at   time.Duration // after the first
	}
	tests := map[string]struct {
		aging    map[switchboard.ValueTier]time.Duration
		arrivals []arrival
		want     []int64
	}{
		"vip ahead of an earlier standard": {
			arrivals: []arrival{{10, switchboard.TierStandard, 0}, {11, switchboard.TierVIP, 10 * time.Second}},
			want:     []int64{11, 10},
		},
		"standard who waited long enough is not starved": {
			arrivals: []arrival{{10, switchboard.TierStandard, 0}, {11, switchboard.TierVIP, 100 * time.Second}},
			want:     []int64{10, 11}, // credits 2m vs 30s: 100 s of waiting beats 90 s of credit
		},
		"strict priority ignores the wait": {
			aging:    map[switchboard.ValueTier]time.Duration{switchboard.TierVIP: Strict, switchboard.TierStandard: 0},
			arrivals: []arrival{{10, switchboard.TierStandard, 0}, {11, switchboard.TierVIP, time.Hour}},
			want:     []int64{11, 10},
		},
		"private before vip before mass": {
			arrivals: []arrival{{10, switchboard.TierMass, 0}, {11, switchboard.TierVIP, time.Second},
				{12, switchboard.TierPrivate, 2 * time.Second}},
			want: []int64{12, 11, 10},
		},
		"equal priority is first come first served": {
			arrivals: []arrival{{12, switchboard.TierStandard, 0}, {10, switchboard.TierStandard, 0},
				{11, switchboard.TierStandard, 0}},
			want: []int64{12, 10, 11},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			e, rec := memEngine(t, Config{Aging: tc.aging, WrapUp: -1, Agents: []AgentProfile{agent(1, nil)}}, clk)
			must(t, e.Login(ctx, 1))
			must(t, e.Enqueue(ctx, task(1, voice, switchboard.TierMass)))
			must(t, e.Accept(ctx, 1, 1))
			base := clk.Now()
			for _, a := range tc.arrivals {
				tk := task(a.id, voice, a.tier)
				tk.EnqueuedAt = base.Add(a.at)
				must(t, e.Enqueue(ctx, tk))
			}
			clk.Advance(2 * time.Hour)
			rec.take()
			var got []int64
			prev := int64(1)
			for range tc.want {
				must(t, e.Complete(ctx, 1, prev))
				o := offers(rec.take())
				if len(o) != 1 {
					t.Fatalf("want one offer, got %v", o)
				}
				for id := range o {
					prev = id
				}
				got = append(got, prev)
				must(t, e.Accept(ctx, 1, prev))
			}
			if !equal(got, tc.want) {
				t.Fatalf("offered %v, want %v", got, tc.want)
			}
		})
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestEligibility: who is offered a new interaction, now and after timers.
func TestEligibility(t *testing.T) {
	tests := map[string]struct {
		agents   []AgentProfile
		busy     []int64 // agents given a call first, in this order
		task     Task
		login    []int64 // agents logged in (default: all)
		wantNow  int64   // offered at once to, or 0
		after    time.Duration
		wantThen int64 // offered after `after`, or 0
	}{
		"relationship manager first, though another is longer idle": {
			agents:  []AgentProfile{agent(1, nil), agent(2, nil)},
			task:    Task{InteractionID: 50, Channel: voice, Queue: "general", Tier: switchboard.TierPrivate, PreferredAgent: 2},
			wantNow: 2,
		},
		"busy relationship manager: the call waits, then goes to the tier": {
			agents: []AgentProfile{agent(2, nil), agent(1, nil)},
			busy:   []int64{2},
			task:   Task{InteractionID: 50, Channel: voice, Queue: "general", Tier: switchboard.TierPrivate, PreferredAgent: 2},
			after:  20 * time.Second, wantThen: 1,
		},
		"relationship manager logged out: no wait": {
			agents:  []AgentProfile{agent(1, nil), agent(2, nil)},
			login:   []int64{1},
			task:    Task{InteractionID: 50, Channel: voice, Queue: "general", Tier: switchboard.TierPrivate, PreferredAgent: 2},
			wantNow: 1,
		},
		"private call waits for the private ring, then widens": {
			agents: []AgentProfile{agent(1, nil, switchboard.TierVIP)},
			task:   task(50, voice, switchboard.TierPrivate),
			after:  30 * time.Second, wantThen: 1,
		},
		"inner ring agent takes it at once": {
			agents:  []AgentProfile{agent(1, nil, switchboard.TierVIP), agent(2, nil, switchboard.TierPrivate)},
			task:    task(50, voice, switchboard.TierPrivate),
			wantNow: 2,
		},
		"the mass market never reaches a private-only banker": {
			agents: []AgentProfile{agent(1, nil, switchboard.TierPrivate)},
			task:   task(50, voice, switchboard.TierMass),
			after:  time.Hour,
		},
		"skills must all be held": {
			agents:  []AgentProfile{agent(1, []string{"cards"}), agent(2, []string{"cards", "lang:en"})},
			task:    Task{InteractionID: 50, Channel: voice, Queue: "general", Tier: switchboard.TierMass, Skills: []string{"lang:en", "cards"}},
			wantNow: 2,
		},
		"overflow to a queue the agent can serve": {
			agents: []AgentProfile{agent(1, []string{"loans"})},
			task:   Task{InteractionID: 50, Channel: voice, Queue: "cards", Tier: switchboard.TierMass},
			after:  60 * time.Second, wantThen: 1,
		},
		"longest idle first": {
			agents:  []AgentProfile{agent(1, nil), agent(2, nil), agent(3, nil)},
			busy:    []int64{2},
			task:    task(50, voice, switchboard.TierMass),
			wantNow: 1,
		},
		"a call never goes to an agent in a chat": {
			agents:  []AgentProfile{agent(1, nil), agent(2, nil)},
			busy:    []int64{1},
			task:    task(50, voice, switchboard.TierMass),
			wantNow: 2,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			e, rec := memEngine(t, Config{Agents: tc.agents, Queues: []Queue{{Name: "general"},
				{Name: "cards", Skills: []string{"cards"}, Overflow: "loans", OverflowAfter: time.Minute},
				{Name: "loans", Skills: []string{"loans"}}}}, clk)
			login := tc.login
			if login == nil {
				for _, a := range tc.agents {
					login = append(login, a.ID)
				}
			}
			for _, id := range login {
				must(t, e.Login(ctx, id))
				clk.Advance(time.Second)
			}
			for i, id := range tc.busy {
				ch := voice
				if name == "a call never goes to an agent in a chat" {
					ch = chat
				}
				tk := Task{InteractionID: int64(100 + i), Channel: ch, Queue: "general", Tier: switchboard.TierMass, PreferredAgent: id}
				must(t, e.Enqueue(ctx, tk))
				if got := offers(rec.take())[tk.InteractionID]; got != id {
					t.Fatalf("setup: call %d went to %d, not %d", tk.InteractionID, got, id)
				}
			}
			rec.take()
			must(t, e.Enqueue(ctx, tc.task))
			if got := offers(rec.take())[tc.task.InteractionID]; got != tc.wantNow {
				t.Fatalf("offered at once to %d, want %d", got, tc.wantNow)
			}
			if tc.wantNow != 0 {
				return
			}
			clk.Advance(tc.after - time.Second)
			must(t, e.Sweep(ctx))
			if got := offers(rec.take())[tc.task.InteractionID]; got != 0 {
				t.Fatalf("offered to %d before its time", got)
			}
			clk.Advance(time.Second)
			must(t, e.Sweep(ctx))
			if got := offers(rec.take())[tc.task.InteractionID]; got != tc.wantThen {
				t.Fatalf("offered after %v to %d, want %d", tc.after, got, tc.wantThen)
			}
		})
	}
}

func TestLeastOccupied(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{Choice: LeastOccupied, Agents: []AgentProfile{agent(1, nil), agent(2, nil)}}, clk)
	must(t, e.Login(ctx, 1))
	clk.Advance(time.Second)
	must(t, e.Login(ctx, 2))
	// Agent 1 is longest idle, so takes the first chat; the second chat
	// goes to agent 2, now less occupied, though 1 has room.
	must(t, e.Enqueue(ctx, task(10, chat, switchboard.TierMass)))
	must(t, e.Enqueue(ctx, task(11, chat, switchboard.TierMass)))
	o := offers(rec.take())
	if o[10] != 1 || o[11] != 2 {
		t.Fatalf("offers %v, want 10→1 and 11→2", o)
	}
}

// TestCapacity: with no limit on offers at a time, an agent is offered up
// to its capacity, and a call never while it holds chats.
func TestCapacity(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{OffersPerAgent: -1, Agents: []AgentProfile{agent(1, nil)}}, clk)
	must(t, e.Login(ctx, 1))
	for id := int64(10); id < 14; id++ {
		must(t, e.Enqueue(ctx, task(id, chat, switchboard.TierMass)))
	}
	must(t, e.Enqueue(ctx, task(20, voice, switchboard.TierMass)))
	o := offers(rec.take())
	if len(o) != 3 || o[13] != 0 || o[20] != 0 {
		t.Fatalf("offers %v: want chats 10-12 only (capacity 3, no call during chats)", o)
	}
}

func TestReservations(t *testing.T) {
	tests := map[string]struct {
		keepReady bool // no break for a missed call
		act       func(e *Engine, clk *clock) error
		wantState AgentState
		reason    string
	}{
		"declined": {
			act:       func(e *Engine, clk *clock) error { return e.Decline(context.Background(), 1, 10) },
			wantState: AgentAvailable, reason: "declined",
		},
		"timed out: agent goes on break": {
			act:       func(e *Engine, clk *clock) error { clk.Advance(16 * time.Second); return e.Sweep(context.Background()) },
			wantState: AgentBreak, reason: "timeout",
		},
		"timed out, agents kept ready": {
			keepReady: true,
			act:       func(e *Engine, clk *clock) error { clk.Advance(16 * time.Second); return e.Sweep(context.Background()) },
			wantState: AgentAvailable, reason: "timeout",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			cfg := Config{Agents: []AgentProfile{agent(1, nil)}}
			if tc.keepReady {
				cfg.NotReadyOnMiss = map[switchboard.Channel]bool{}
			}
			e, rec := memEngine(t, cfg, clk)
			must(t, e.Login(ctx, 1))
			must(t, e.Enqueue(ctx, task(10, voice, switchboard.TierMass)))
			clk.Advance(time.Second)
			must(t, e.Enqueue(ctx, task(11, voice, switchboard.TierMass)))
			rec.take()
			must(t, tc.act(e, clk))
			var withdrawn bool
			for _, ev := range rec.take() {
				withdrawn = withdrawn || ev.Kind == EventOfferWithdrawn && ev.InteractionID == 10 && ev.Reason == tc.reason
			}
			if !withdrawn {
				t.Fatal("no offer_withdrawn event with the reason")
			}
			if err := e.Accept(ctx, 1, 10); tc.wantState == AgentBreak && !errors.Is(err, switchboard.ErrNotFound) {
				t.Fatalf("accepting a withdrawn offer: %v, want ErrNotFound", err)
			}
			w, err := e.Waiting(ctx, "general")
			must(t, err)
			if tc.wantState == AgentBreak && (len(w) != 2 || w[0].InteractionID != 10) {
				t.Fatalf("waiting %+v: want 10 back in front of 11", w)
			}
			as, err := e.AgentStates(ctx)
			must(t, err)
			if as[0].State != tc.wantState {
				t.Fatalf("agent %s, want %s", as[0].State, tc.wantState)
			}
			if tc.wantState == AgentAvailable && as[0].Interactions[10] != switchboard.StateConnected {
				t.Fatalf("want 10 offered again (it keeps its place) and accepted, agent holds %v", as[0].Interactions)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{Agents: []AgentProfile{agent(1, nil)}}, clk)
	must(t, e.Login(ctx, 1))
	for id := int64(10); id < 13; id++ {
		must(t, e.Enqueue(ctx, task(id, voice, switchboard.TierMass)))
	}
	must(t, e.Cancel(ctx, 11, "hangup")) // waiting
	must(t, e.Cancel(ctx, 10, "hangup")) // offered: the offer is withdrawn, 12 offered
	if o := offers(rec.take()); o[12] != 1 {
		t.Fatalf("after cancelling the offered call, offers %v, want 12→1", o)
	}
	must(t, e.Accept(ctx, 1, 12))
	if err := e.Cancel(ctx, 12, "hangup"); !errors.Is(err, switchboard.ErrConflict) {
		t.Fatalf("cancel connected: %v, want ErrConflict", err)
	}
	if err := e.Cancel(ctx, 99, "hangup"); !errors.Is(err, switchboard.ErrNotFound) {
		t.Fatalf("cancel unknown: %v, want ErrNotFound", err)
	}
	st, err := e.Stats(ctx)
	must(t, err)
	mass := st[3]
	if mass.Tier != switchboard.TierMass || mass.Today.Abandoned != 2 || mass.Today.Answered != 1 || mass.Waiting != 0 {
		t.Fatalf("stats %+v", mass)
	}
}

func TestWrapUpAndLogout(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{WrapUp: 30 * time.Second, Agents: []AgentProfile{agent(1, nil)}}, clk)
	must(t, e.Login(ctx, 1))
	must(t, e.Enqueue(ctx, task(10, voice, switchboard.TierMass)))
	must(t, e.Enqueue(ctx, task(11, voice, switchboard.TierMass)))
	must(t, e.Accept(ctx, 1, 10))
	if err := e.Logout(ctx, 1); !errors.Is(err, switchboard.ErrConflict) {
		t.Fatalf("logout during a call: %v, want ErrConflict", err)
	}
	must(t, e.Complete(ctx, 1, 10))
	rec.take()
	clk.Advance(29 * time.Second)
	must(t, e.Sweep(ctx))
	if o := offers(rec.take()); len(o) != 0 {
		t.Fatalf("offered %v during wrap-up", o)
	}
	clk.Advance(time.Second)
	must(t, e.Sweep(ctx))
	if o := offers(rec.take()); o[11] != 1 {
		t.Fatalf("after wrap-up, offers %v, want 11→1", o)
	}
	must(t, e.Logout(ctx, 1)) // the pending offer goes back
	w, err := e.Waiting(ctx, "general")
	must(t, err)
	if len(w) != 1 || w[0].InteractionID != 11 {
		t.Fatalf("waiting %+v, want 11", w)
	}
	if err := e.SetState(ctx, 1, AgentAvailable, ""); !errors.Is(err, switchboard.ErrNotFound) {
		t.Fatalf("state of a logged-out agent: %v, want ErrNotFound", err)
	}
}

func TestTransfer(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{WrapUp: -1, Queues: []Queue{{Name: "general"}, {Name: "loans", Skills: []string{"loans"}}},
		Agents: []AgentProfile{agent(1, nil), agent(2, []string{"loans"})}}, clk)
	must(t, e.Login(ctx, 1))
	clk.Advance(time.Second)
	must(t, e.Enqueue(ctx, task(10, voice, switchboard.TierMass)))
	must(t, e.Accept(ctx, 1, 10))
	must(t, e.Login(ctx, 2))
	rec.take()
	must(t, e.Transfer(ctx, 10, Target{Queue: "loans"}))
	if o := offers(rec.take()); o[10] != 2 {
		t.Fatalf("transfer to loans: offers %v, want 10→2", o)
	}
	must(t, e.Accept(ctx, 2, 10))
	must(t, e.Transfer(ctx, 10, Target{AgentID: 1}))
	if o := offers(rec.take()); o[10] != 1 {
		t.Fatalf("transfer to agent 1: offers %v, want 10→1", o)
	}
	// An interaction needing English keeps needing it in its new queue.
	must(t, e.Enqueue(ctx, Task{InteractionID: 20, Channel: chat, Queue: "general", Tier: switchboard.TierMass,
		Skills: []string{"lang:en"}}))
	rec.take()
	must(t, e.Transfer(ctx, 20, Target{Queue: "loans"}))
	if o := offers(rec.take()); o[20] != 0 {
		t.Fatalf("transfer of an English chat to loans: offered %v, but nobody speaks English", o)
	}
	if err := e.Transfer(ctx, 10, Target{Queue: "nope"}); !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("transfer to an unknown queue: %v, want ErrInvalid", err)
	}
}

func TestBadInput(t *testing.T) {
	tests := map[string]Task{
		"unknown channel": {InteractionID: 1, Channel: "fax", Queue: "general", Tier: switchboard.TierMass},
		"unknown tier":    {InteractionID: 1, Channel: voice, Queue: "general", Tier: "gold"},
		"unknown queue":   {InteractionID: 1, Channel: voice, Queue: "nope", Tier: switchboard.TierMass},
		"no id":           {Channel: voice, Queue: "general", Tier: switchboard.TierMass},
	}
	for name, tk := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e, _ := memEngine(t, Config{}, newClock())
			if err := e.Enqueue(ctx, tk); !errors.Is(err, switchboard.ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			n, err := e.rdb.HLen(ctx, e.keys.key(keyspace.Task)).Result()
			must(t, err)
			if n != 0 {
				t.Fatalf("%d tasks stored after bad input", n)
			}
		})
	}
	e, _ := memEngine(t, Config{}, newClock())
	if err := e.Login(context.Background(), 42); !errors.Is(err, switchboard.ErrNotFound) {
		t.Fatalf("login of an unknown agent: %v, want ErrNotFound", err)
	}
	if err := e.SetState(context.Background(), 42, "dancing", ""); !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("unknown state: %v, want ErrInvalid", err)
	}
}
