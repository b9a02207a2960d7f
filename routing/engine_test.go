package routing

import (
	"context"
	"testing"
	"time"

	"switchboard"
)

func TestStats(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, _ := memEngine(t, Config{WrapUp: -1, Agents: []AgentProfile{agent(1, nil), agent(2, nil, switchboard.TierPrivate)}}, clk)
	must(t, e.Login(ctx, 1))
	must(t, e.Login(ctx, 2))
	must(t, e.Enqueue(ctx, task(10, voice, switchboard.TierVIP))) // offered to 1 at once
	must(t, e.Enqueue(ctx, task(11, voice, switchboard.TierVIP))) // waits: 2 serves private only
	must(t, e.Enqueue(ctx, task(12, voice, switchboard.TierVIP)))
	clk.Advance(10 * time.Second)
	must(t, e.Accept(ctx, 1, 10)) // answered in 10 s
	clk.Advance(20 * time.Second)
	must(t, e.Cancel(ctx, 12, "hangup")) // abandoned after 30 s
	must(t, e.Complete(ctx, 1, 10))      // 11 offered to 1
	must(t, e.Accept(ctx, 1, 11))        // answered in 30 s
	must(t, e.Enqueue(ctx, task(13, voice, switchboard.TierVIP)))
	clk.Advance(5 * time.Second)

	st, err := e.Stats(ctx)
	must(t, err)
	vip := st[1]
	if vip.Queue != "general" || vip.Tier != switchboard.TierVIP {
		t.Fatalf("row 1 is %s/%s", vip.Queue, vip.Tier)
	}
	want := Window{Offered: 4, Answered: 2, AnsweredInSL: 1, Abandoned: 1, ServiceLevel: 1.0 / 3,
		ASA: 20 * time.Second, AbandonRate: 1.0 / 3}
	if vip.Today != want || vip.Last15 != want {
		t.Fatalf("today %+v, last 15 min %+v; want %+v", vip.Today, vip.Last15, want)
	}
	if vip.Waiting != 1 || vip.LongestWait != 5*time.Second || vip.AgentsBusy != 1 || vip.AgentsAvailable != 0 {
		t.Fatalf("live figures %+v", vip)
	}
	if private := st[0]; private.AgentsAvailable != 1 || private.AgentsBusy != 1 {
		t.Fatalf("private row %+v: want agent 2 available, agent 1 busy", private)
	}
	clk.Advance(16 * time.Minute)
	st, err = e.Stats(ctx)
	must(t, err)
	if st[1].Last15.Offered != 0 || st[1].Today.Offered != 4 {
		t.Fatalf("16 minutes later: last 15 min %+v, today %+v", st[1].Last15, st[1].Today)
	}
	// The day's counters are kept three days, not for ever.
	ttl, err := e.rdb.TTL(ctx, e.keys.day(clk.Now())).Result()
	must(t, err)
	if ttl <= 71*time.Hour || ttl > 72*time.Hour {
		t.Fatalf("the day's statistics expire in %v, want 72 h", ttl)
	}
}
