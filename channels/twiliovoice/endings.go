package twiliovoice

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/interactions"
	"switchboard/pgdb"
)

// Faults this file handles: a node paused while its /voice webhook waited
// answers after Twilio gave up and the caller's hang-up went to another
// node; Redis away while callers wait; a status callback lost altogether.
// The rule in each case: a call that has ended is never queued, and a
// queued call whose call is gone is ended by the sweep.

// sweepEvery is how often each node looks for queued calls whose call has
// ended; lostAfter is how long a call may wait before the sweep asks
// Twilio whether it is still there (its hang-up callback may be lost).
const (
	sweepEvery = 30 * time.Second
	lostAfter  = 2 * time.Minute
)

// noteEnded records that Twilio reported call sid ended, before the status
// callback is answered: whatever else fails afterwards, the sweep finishes
// the job from this row.
func noteEnded(ctx context.Context, pool *pgxpool.Pool, sid, status string, now time.Time) error {
	_, err := pool.Exec(ctx, `INSERT INTO call_endings (call_sid, status, ended_at) VALUES ($1, $2, $3)
		ON CONFLICT (call_sid) DO NOTHING`, sid, status, now)
	if err != nil {
		return fmt.Errorf("twiliovoice: note call %s ended: %w", sid, pgdb.FormatError(err))
	}
	return nil
}

// hasEnded reports whether Twilio has reported call sid ended.
func hasEnded(ctx context.Context, q pgdb.Querier, sid string) (bool, error) {
	var yes bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM call_endings WHERE call_sid = $1)`, sid).Scan(&yes)
	if err != nil {
		return false, fmt.Errorf("twiliovoice: has call %s ended: %w", sid, pgdb.FormatError(err))
	}
	return yes, nil
}

// sweepLoop runs sweep every sweepEvery until ctx ends. Every node runs
// it; ending an interaction twice changes nothing.
func (c *Channel) sweepLoop(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	asked := map[int64]time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := c.sweep(ctx, asked); err != nil && ctx.Err() == nil {
			c.log.Warn("voice: sweep of ended calls", "err", err)
		}
	}
}

// sweep ends the waiting calls Twilio has reported ended, then asks Twilio
// about calls that have waited longer than lostAfter (each at most once per
// lostAfter on this node, remembered in asked) and ends those it says are
// over.
func (c *Channel) sweep(ctx context.Context, asked map[int64]time.Time) error {
	gone, err := c.waitingCalls(ctx, `AND EXISTS (SELECT 1 FROM call_endings e WHERE e.call_sid = i.provider_sid)`)
	if err != nil {
		return err
	}
	for _, l := range gone {
		if err := c.endWaiting(ctx, l); err != nil {
			return err
		}
	}
	old, err := c.waitingCalls(ctx, `AND i.created_at < now() - interval '2 minutes'
		AND NOT EXISTS (SELECT 1 FROM call_endings e WHERE e.call_sid = i.provider_sid)`)
	if err != nil {
		return err
	}
	now := time.Now()
	for id, at := range asked {
		if now.Sub(at) > lostAfter {
			delete(asked, id)
		}
	}
	for _, l := range old {
		if _, ok := asked[l.ID]; ok {
			continue
		}
		asked[l.ID] = now
		call, err := c.twilio.API(ctx).FetchCall(l.ProviderSID, nil)
		if err != nil || call.Status == nil || !terminal[*call.Status] {
			continue // still there, or Twilio unreachable: ask again later
		}
		if err := noteEnded(ctx, c.store.Pool(), l.ProviderSID, *call.Status, now); err != nil {
			return err
		}
		if err := c.endWaiting(ctx, l); err != nil {
			return err
		}
		c.log.Info("voice: a waiting call had ended without a callback", "interaction", l.ID, "call", l.ProviderSID)
	}
	return nil
}

// waitingCalls loads the inbound calls still waiting (in the IVR, queued or
// offered; not those waiting for a callback) that match the extra
// condition, at most 200.
func (c *Channel) waitingCalls(ctx context.Context, cond string) ([]interactions.Live, error) {
	rows, err := c.store.Pool().Query(ctx, `SELECT i.id FROM interactions i
		WHERE i.channel = 'voice' AND i.direction = 'inbound' AND i.state IN ('queued', 'offered')
		  AND i.provider_sid IS NOT NULL AND coalesce(i.callback_to, '') = '' `+cond+`
		ORDER BY i.id LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("twiliovoice: waiting calls: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("twiliovoice: waiting calls: %w", err)
	}
	out := make([]interactions.Live, 0, len(ids))
	for _, id := range ids {
		l, err := interactions.Load(ctx, c.store.Pool(), id)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// endWaiting ends a waiting call whose caller has gone: out of routing if
// it was queued there, else closed in PostgreSQL.
func (c *Channel) endWaiting(ctx context.Context, l interactions.Live) error {
	if l.Queue == "" {
		return c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
			return interactions.EndBeforeRouting(ctx, tx, now, l.ID, "hangup_in_ivr")
		})
	}
	err := c.abandon(ctx, l)
	if errors.Is(err, switchboard.ErrUnavailable) {
		return nil // Redis is away: the next sweep tries again
	}
	return err
}

// routeAgain hands a queued call to routing again, as it was prepared when
// it was queued: a call whose first hand-over failed (Redis away) is
// routed once Redis is back. Routing keeps what it already has, so this
// is harmless for a call it knows.
func (c *Channel) routeAgain(ctx context.Context, l interactions.Live) {
	if err := c.handOver(ctx, l); err != nil {
		c.log.Warn("voice: routing a waiting call again", "interaction", l.ID, "err", err)
	}
}
