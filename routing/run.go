package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"switchboard"
	"switchboard/internal/keyspace"
)

// Run keeps routing going until ctx ends: every Config.SweepEvery it rebuilds Redis from Postgres
// when the state is missing (at the first start, or after Redis lost its
// data), and sweeps timers. It is safe, and intended, to run on every
// server process at once. It returns nil when ctx is cancelled, once the
// records in Postgres of every decision made so far are written. Every
// Config.ReconcileEvery one of the processes corrects Postgres where it
// lags Redis (Reconcile).
func (e *Engine) Run(ctx context.Context) error {
	t := time.NewTicker(e.cfg.SweepEvery)
	defer t.Stop()
	r := time.NewTicker(e.cfg.ReconcileEvery)
	defer r.Stop()
	b := time.NewTicker(nodeBeat)
	defer b.Stop()
	if e.pool != nil {
		e.beatOrWarn(ctx)
		defer e.leave(context.WithoutCancel(ctx))
	}
	for {
		if err := e.Sweep(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("routing: sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			if e.writes != nil {
				e.writes.wait()
			}
			return nil
		case <-r.C:
			e.reconcileOnce(ctx)
		case <-b.C:
			if e.pool != nil {
				e.beatOrWarn(ctx)
			}
		case <-t.C:
		}
	}
}

// beatOrWarn beats, and answers a rebuild under way even when this
// engine has called nothing since the loss. A missed beat is logged; a
// rebuild meanwhile waits for this engine only while its last beat is
// fresh.
func (e *Engine) beatOrWarn(ctx context.Context) {
	if err := e.beat(ctx); err != nil && ctx.Err() == nil {
		e.log.Warn("routing: beat", "err", err)
	}
	if err := e.answerLoss(ctx); err != nil && ctx.Err() == nil {
		e.log.Warn("routing: answering a rebuild", "err", err)
	}
}

// reconcileOnce runs Reconcile unless another process has within the last
// Config.ReconcileEvery.
func (e *Engine) reconcileOnce(ctx context.Context) {
	if e.pool == nil {
		return
	}
	got, err := e.rdb.SetNX(ctx, e.keys.key(keyspace.Reconciled), "1", e.cfg.ReconcileEvery*9/10).Result()
	if err != nil || !got {
		return
	}
	if _, err := e.Reconcile(ctx); err != nil && ctx.Err() == nil {
		e.log.Warn("routing: reconcile", "err", err)
	}
}

// Sweep runs one pass of the timers at the engine's current time: offers
// past their expiry go back to their queues (the agent goes on break,
// "missed_offer", where Config.NotReadyOnMiss says so for the channel), wrap-ups past their end free
// the agent, due overflows move, and then every possible match is made.
// Run calls it; the simulator calls it on its virtual clock. A missing
// routing state is rebuilt first.
func (e *Engine) Sweep(ctx context.Context) error {
	var notReady []string
	for _, ch := range switchboard.Channels {
		if e.cfg.NotReadyOnMiss[ch] {
			notReady = append(notReady, string(ch))
		}
	}
	if _, err := e.call(ctx, opSweep, append([]any{strings.Join(notReady, ","), 500}, e.tailScanning(e.cfg.SweepScanWaiting)...)...); err != nil {
		return fmt.Errorf("routing: sweep: %w", err)
	}
	return nil
}

// Match makes up to max offers of waiting interactions to free agents.
// Every change that frees capacity already matches; Match is for tools and
// benchmarks that need to drive matching alone.
func (e *Engine) Match(ctx context.Context, max int) (int, error) {
	evs, err := e.call(ctx, opMatch, append([]any{max}, e.tail()...)...)
	if err != nil {
		return 0, fmt.Errorf("routing: match: %w", err)
	}
	n := 0
	for _, w := range evs {
		if w.K == EventOffer {
			n++
		}
	}
	return n, nil
}

// subscriberQueue is how many published messages (one per routing call)
// a subscriber may fall behind by before it loses one (see
// internal/fanout): the buffer each subscriber had when it held a Redis
// subscription of its own.
const subscriberQueue = 1000

// Subscribe returns every event published by every engine of this contact
// centre from now on, until ctx ends (then the channel is closed). Pub/sub
// does not keep events for a subscriber that is away: after a reconnect,
// read the current state with AgentStates and Waiting. All the subscribers
// of an engine share its one Redis subscription; the reader must keep up,
// as a subscriber that falls subscriberQueue messages behind loses the
// next ones (and the others do not wait for it).
func (e *Engine) Subscribe(ctx context.Context) (<-chan Event, error) {
	evs, err := e.events.Subscribe(ctx)
	if err != nil {
		return nil, fmt.Errorf("routing: subscribe: %w", scriptError(err))
	}
	return evs, nil
}

// decodeEvents reads the events of one message, one per line (a script
// publishes all of its events at once).
func (e *Engine) decodeEvents(payload string) []Event {
	evs := make([]Event, 0, strings.Count(payload, "\n")+1)
	for line := range strings.SplitSeq(payload, "\n") {
		var w wireEvent
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			e.log.Warn("routing: bad event", "err", err)
			continue
		}
		evs = append(evs, w.event())
	}
	return evs
}
