package twiliovoice

import (
	"context"
	"time"
)

// Sweep runs one pass of the sweep of ended calls, as each node does every
// sweepEvery.
func (c *Channel) Sweep(ctx context.Context) error { return c.sweep(ctx, map[int64]time.Time{}) }
