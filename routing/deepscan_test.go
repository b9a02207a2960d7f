package routing

import (
	"context"
	"testing"

	"switchboard"
)

// TestSweepLooksBehindWorkNobodyFreeCanTake: more Chinese-speaking callers
// wait than a match looks at, and only an English-speaking agent is free.
// The English callers behind them are offered by the next sweep, the oldest
// first, not left waiting until the Chinese callers are answered.
func TestSweepLooksBehindWorkNobodyFreeCanTake(t *testing.T) {
	tests := map[string]struct {
		zh, scan, sweep int
		want            int64 // offered to agent 1 by the sweep, or 0
	}{
		"behind the scan, within the sweep": {zh: 40, scan: 8, sweep: 64, want: 1001},
		"within the scan: offered at once":  {zh: 5, scan: 8, sweep: 64, want: 1001},
		"behind the sweep too":              {zh: 100, scan: 8, sweep: 64},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			e, rec := memEngine(t, Config{ScanWaiting: tc.scan, SweepScanWaiting: tc.sweep,
				Agents: []AgentProfile{agent(1, []string{"lang:en"})}}, clk)
			must(t, e.Login(ctx, 1))
			for i := range tc.zh {
				must(t, e.Enqueue(ctx, Task{InteractionID: int64(i + 1), Channel: voice, Queue: "general",
					Tier: switchboard.TierMass, Skills: []string{"lang:zh"}}))
			}
			for _, id := range []int64{1001, 1002} {
				must(t, e.Enqueue(ctx, Task{InteractionID: id, Channel: voice, Queue: "general",
					Tier: switchboard.TierMass, Skills: []string{"lang:en"}}))
			}
			offered := offers(rec.take())
			if tc.zh < tc.scan {
				if offered[tc.want] != 1 {
					t.Fatalf("offers at enqueue %v, want %d to agent 1", offered, tc.want)
				}
				return
			}
			if len(offered) != 0 {
				t.Fatalf("offers at enqueue %v, want none (behind the scan)", offered)
			}
			must(t, e.Sweep(ctx))
			offered = offers(rec.take())
			if tc.want == 0 {
				if len(offered) != 0 {
					t.Fatalf("sweep offered %v, want nothing", offered)
				}
				return
			}
			if len(offered) != 1 || offered[tc.want] != 1 {
				t.Fatalf("sweep offered %v, want %d to agent 1", offered, tc.want)
			}
		})
	}
}
