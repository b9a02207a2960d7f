package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
)

// OfferExpiry returns when the agent's live offer of the interaction runs
// out, so a desk that reconnects shows the right countdown.
// Errors: ErrNotFound when the agent holds no live offer of it;
// ErrUnavailable when Redis is unreachable.
func (e *Engine) OfferExpiry(ctx context.Context, agentID, interactionID int64) (time.Time, error) {
	v, err := e.rdb.HGet(ctx, e.keys.key("task"), strconv.FormatInt(interactionID, 10)).Result()
	if err == redis.Nil {
		return time.Time{}, switchboard.Errorf(switchboard.ErrNotFound, "interaction %d is not being routed", interactionID)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("routing: offer expiry %d: %w", interactionID, scriptError(err))
	}
	var t wireTask
	if err := json.Unmarshal([]byte(v), &t); err != nil {
		return time.Time{}, fmt.Errorf("routing: offer expiry %d: %w", interactionID, err)
	}
	if t.St != "offered" || t.Ag != agentID {
		return time.Time{}, switchboard.Errorf(switchboard.ErrNotFound, "agent %d holds no offer of interaction %d", agentID, interactionID)
	}
	return ms(t.X), nil
}
