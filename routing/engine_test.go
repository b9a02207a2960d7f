package routing

import (
	"context"
	"testing"

	"switchboard"
)

func TestSmoke(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{Agents: []AgentProfile{agent(1, nil)}}, clk)
	must(t, e.Login(ctx, 1))
	must(t, e.Enqueue(ctx, Task{InteractionID: 10, Channel: switchboard.ChannelVoice, Queue: "general", Tier: switchboard.TierVIP}))
	evs := rec.take()
	t.Logf("%+v", evs)
	if offers(evs)[10] != 1 {
		t.Fatalf("want offer to 1: %+v", evs)
	}
	must(t, e.Accept(ctx, 1, 10))
	must(t, e.Complete(ctx, 1, 10))
	st, err := e.Stats(ctx)
	must(t, err)
	t.Logf("%+v", st[1])
	as, err := e.AgentStates(ctx)
	must(t, err)
	t.Logf("%+v", as)
}
