package routing

import (
	"context"
	"fmt"
	"time"

	"switchboard"
)

// ExtendWrapUp gives the agent `by` more wrap-up time for the interaction
// and returns the new end of wrap-up. Every desk of the agent hears of it
// through a wrapup event with the new Expires (reason "extended").
// Errors: ErrInvalid when by is not positive or the wrap-up would last
// longer than Config.WrapUpMax from its start; ErrNotFound when the
// interaction is not in wrap-up with this agent.
func (e *Engine) ExtendWrapUp(ctx context.Context, agentID, interactionID int64, by time.Duration) (time.Time, error) {
	fail := func(err error) (time.Time, error) {
		return time.Time{}, fmt.Errorf("routing: extend wrap-up of %d by agent %d: %w", interactionID, agentID, err)
	}
	if by <= 0 {
		return fail(switchboard.Errorf(switchboard.ErrInvalid, "extend wrap-up by a positive time, not %v", by))
	}
	evs, err := e.call(ctx, opExtend, agentID, interactionID, by.Milliseconds(), e.cfg.WrapUpMax.Milliseconds())
	if err != nil {
		return fail(err)
	}
	for _, w := range evs {
		if w.K == EventWrapUp {
			return ms(w.X), nil
		}
	}
	return fail(fmt.Errorf("no wrapup event in the answer"))
}
