package routing

import (
	"context"
	"errors"
	"testing"

	"switchboard"
)

// TestCompleteWhatEndedMeanwhile: the caller hangs up (the voice channel
// completes the call) just before the agent's own Complete arrives, and
// with no wrap-up time the call is done by then. The agent's Complete
// succeeds either way; another agent's still fails.
func TestCompleteWhatEndedMeanwhile(t *testing.T) {
	for name, wrap := range map[string]bool{"in wrap-up": true, "already done": false} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			e, pool := pgEngine(t, clk.Now)
			if !wrap {
				e.cfg.WrapUp = 0
			}
			ids := seedAgents(t, pool, 2)
			tk := seedInteractions(t, pool, 1)[0]
			must(t, e.Login(ctx, ids[0]))
			must(t, e.Enqueue(ctx, tk))
			must(t, e.Accept(ctx, ids[0], tk.InteractionID))
			must(t, e.Complete(ctx, ids[0], tk.InteractionID)) // the hang-up
			if err := e.Complete(ctx, ids[0], tk.InteractionID); err != nil {
				t.Fatalf("the agent's own Complete after the hang-up: %v, want success", err)
			}
			if err := e.Complete(ctx, ids[1], tk.InteractionID); !errors.Is(err, switchboard.ErrNotFound) {
				t.Fatalf("another agent's Complete: %v, want ErrNotFound", err)
			}
		})
	}
}
