package routing

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/testenv"
)

// TestRebuild: after Redis loses everything, the next call rebuilds from
// Postgres: the queue in its order, the live offer to the same agent with
// its expiry, the connected call as the agent's load, agents' presence.
func TestRebuild(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, pool := pgEngine(t, clk.Now)
	ids := seedAgents(t, pool, 3)
	tasks := seedInteractions(t, pool, 6)
	for i := range tasks {
		tasks[i].Channel, tasks[i].Tier = voice, switchboard.TierMass
	}
	must(t, e.Login(ctx, ids[0]))
	must(t, e.Login(ctx, ids[1]))
	must(t, e.SetState(ctx, ids[1], AgentBreak, "lunch"))
	must(t, e.Enqueue(ctx, tasks[0])) // offered to agent 0, accepted below
	must(t, e.Accept(ctx, ids[0], tasks[0].InteractionID))
	must(t, e.SetState(ctx, ids[1], AgentAvailable, ""))
	must(t, e.Enqueue(ctx, tasks[1])) // offered to agent 1, left on offer
	for _, tk := range tasks[2:5] {
		clk.Advance(time.Second)
		must(t, e.Enqueue(ctx, tk)) // waiting, in this order
	}
	must(t, e.Cancel(ctx, tasks[3].InteractionID, "hangup"))
	before, err := e.AgentStates(ctx)
	must(t, err)
	waitBefore, err := e.Waiting(ctx, "general")
	must(t, err)

	must(t, testenv.DeletePrefix(ctx, e.rdb.(*redis.Client), e.cfg.Prefix))
	clk.Advance(5 * time.Second)
	must(t, e.Sweep(ctx)) // finds the sentinel gone and rebuilds

	after, err := e.AgentStates(ctx)
	must(t, err)
	if len(after) != len(before) {
		t.Fatalf("agents after rebuild %+v, before %+v", after, before)
	}
	for i := range before {
		b, a := before[i], after[i]
		if a.AgentID != b.AgentID || a.State != b.State || a.Load[voice] != b.Load[voice] ||
			len(a.Interactions) != len(b.Interactions) {
			t.Fatalf("agent after rebuild %+v, before %+v", a, b)
		}
	}
	waitAfter, err := e.Waiting(ctx, "general")
	must(t, err)
	if len(waitAfter) != len(waitBefore) || len(waitAfter) != 2 {
		t.Fatalf("waiting after %+v, before %+v", waitAfter, waitBefore)
	}
	for i := range waitAfter {
		if waitAfter[i].InteractionID != waitBefore[i].InteractionID || !waitAfter[i].EnqueuedAt.Equal(waitBefore[i].EnqueuedAt) {
			t.Fatalf("waiting after %+v, before %+v", waitAfter, waitBefore)
		}
	}
	// The live offer survived with its agent: accepting it works, and
	// ending the restored call frees its agent for the head of the queue.
	must(t, e.Accept(ctx, ids[1], tasks[1].InteractionID))
	rec := &recorder{}
	e.cfg.Events = rec.add
	must(t, e.Complete(ctx, ids[0], tasks[0].InteractionID))
	clk.Advance(31 * time.Second)
	must(t, e.Sweep(ctx))
	if o := offers(rec.take()); o[tasks[2].InteractionID] != ids[0] {
		t.Fatalf("after the restored call ended, offers %v, want %d → %d", o, tasks[2].InteractionID, ids[0])
	}
}
