package routing

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"switchboard"
)

// OfferExpiry returns when the agent's live offer of the interaction runs
// out, so a desk that reconnects shows the right countdown.
// Errors: ErrNotFound when the agent holds no live offer of it;
// ErrUnavailable when Redis is unreachable.
func (e *Engine) OfferExpiry(ctx context.Context, agentID, interactionID int64) (time.Time, error) {
	id := strconv.FormatInt(interactionID, 10)
	ts, err := e.readTasks(ctx, []string{id})
	if err != nil {
		return time.Time{}, fmt.Errorf("routing: offer expiry %d: %w", interactionID, err)
	}
	t, ok := ts[id]
	if !ok {
		return time.Time{}, switchboard.Errorf(switchboard.ErrNotFound, "interaction %d is not being routed", interactionID)
	}
	if t.St != string(switchboard.StateOffered) || t.Ag != agentID {
		return time.Time{}, switchboard.Errorf(switchboard.ErrNotFound, "agent %d holds no offer of interaction %d", agentID, interactionID)
	}
	return ms(t.X), nil
}
