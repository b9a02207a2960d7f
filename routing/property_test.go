package routing

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"switchboard"
)

// TestRandomOperations applies thousands of random operations (arrivals,
// hang-ups, accepts, declines, completions, breaks, logouts, the clock
// jumping past timeouts) to one engine and checks the invariants after
// every step, and that the best waiting interaction is offered first: when
// an offer is made to an agent who serves every tier and skill, nothing
// waiting on that channel had a better score. Then it drains: every
// interaction ends.
func TestRandomOperations(t *testing.T) {
	for seed := uint64(1); seed <= 2; seed++ {
		t.Run(string(rune('0'+seed)), func(t *testing.T) { randomOperations(t, seed) })
	}
}

func randomOperations(t *testing.T, seed uint64) {
	ctx := context.Background()
	clk := newClock()
	rng := rand.New(rand.NewPCG(seed, 9))
	var agents []AgentProfile
	for id := int64(1); id <= 6; id++ {
		agents = append(agents, agent(id, []string{"cards"}))
	}
	e, rec := memEngine(t, Config{Agents: agents, WrapUp: 2 * time.Second}, clk)
	live := map[int64]bool{}
	next := int64(1)
	step := func(what string, err error) {
		t.Helper()
		if err != nil && !errors.Is(err, switchboard.ErrNotFound) && !errors.Is(err, switchboard.ErrConflict) {
			t.Fatalf("%s: %v", what, err)
		}
		e.checkStep(t, rec)
	}
	for _, a := range agents {
		step("login", e.Login(ctx, a.ID))
	}
	for i := 0; i < 800; i++ {
		agentID := int64(1 + rng.IntN(6))
		id := int64(1 + rng.Int64N(next))
		switch r := rng.IntN(100); {
		case r < 30:
			tk := task(next, switchboard.Channels[rng.IntN(3)], switchboard.ValueTiers[rng.IntN(4)])
			if rng.IntN(4) == 0 {
				tk.PreferredAgent = agentID
			}
			live[next] = true
			next++
			step("enqueue", e.Enqueue(ctx, tk))
		case r < 35:
			step("cancel", e.Cancel(ctx, id, "hangup"))
		case r < 55:
			step("accept", e.Accept(ctx, agentID, id))
		case r < 62:
			step("decline", e.Decline(ctx, agentID, id))
		case r < 80:
			step("complete", e.Complete(ctx, agentID, id))
		case r < 83:
			step("break", e.SetState(ctx, agentID, AgentBreak, "coffee"))
		case r < 90:
			step("available", e.SetState(ctx, agentID, AgentAvailable, ""))
		case r < 92:
			step("logout", e.Logout(ctx, agentID))
			step("login", e.Login(ctx, agentID))
		default:
			clk.Advance(time.Duration(rng.IntN(20)) * time.Second)
			step("sweep", e.Sweep(ctx))
		}
	}
	e.drain(t, ctx, clk, rec)
}

// checkStep checks the invariants, and that each offer just made went to
// the best waiting interaction the agent could take.
func (e *Engine) checkStep(t *testing.T, rec *recorder) {
	t.Helper()
	tasks, agents, err := snapshot(context.Background(), e.rdb, e.keys)
	must(t, err)
	if err := checkInvariants(tasks, agents); err != nil {
		t.Fatal(err)
	}
	now := e.now().UnixMilli()
	var decoded []wireTask
	for _, ev := range rec.take() {
		if ev.Kind != EventOffer {
			continue
		}
		if decoded == nil {
			for _, w := range tasks {
				decoded = append(decoded, w)
			}
		}
		got := tasks[strconv.FormatInt(ev.InteractionID, 10)]
		for _, w := range decoded {
			rmWait := w.P != 0 && now < w.RU && w.P != ev.AgentID
			better := w.Sc < got.Sc || w.Sc == got.Sc && w.M < got.M
			if w.St == "queued" && w.Ch == got.Ch && better && !rmWait {
				t.Fatalf("offered %d (score %d) to agent %d while %d (score %d) waited", got.ID, got.Sc, ev.AgentID, w.ID, w.Sc)
			}
		}
	}
}

// drain answers and ends everything left, until nothing is being routed.
func (e *Engine) drain(t *testing.T, ctx context.Context, clk *clock, rec *recorder) {
	t.Helper()
	for id := int64(1); id <= 6; id++ {
		if err := e.SetState(ctx, id, AgentAvailable, ""); errors.Is(err, switchboard.ErrNotFound) {
			must(t, e.Login(ctx, id))
		}
	}
	for round := 0; round < 500; round++ {
		tasks, _, err := snapshot(ctx, e.rdb, e.keys)
		must(t, err)
		if len(tasks) == 0 {
			return
		}
		for _, w := range tasks {
			switch w.St {
			case "offered":
				must(t, e.Accept(ctx, w.Ag, w.ID))
			case "connected":
				must(t, e.Complete(ctx, w.Ag, w.ID))
			}
		}
		clk.Advance(3 * time.Second)
		must(t, e.Sweep(ctx))
		e.checkStep(t, rec)
	}
	t.Fatal("interactions still being routed after 500 rounds")
}
