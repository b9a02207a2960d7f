package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"switchboard/internal/rounds"
)

// Batching: the operations that callers start while a call to Redis is
// under way go together in the next call, as a group commit does, so under
// load one round trip serves many decisions (each still atomic, and each
// failing alone). A lone operation goes at once, on its caller's goroutine.
const (
	maxBatches   = 2  // calls in flight at once: Redis never waits for the next
	maxBatchSize = 64 // operations per call: bounds the time Redis spends on one
)

// opCall is one operation waiting for its batch.
type opCall struct {
	ctx  context.Context
	name string
	keys []string
	args []any // now first
	res  []string
	err  error
	done chan struct{}
}

// batcher sends operations to Redis in batches.
type batcher struct {
	rdb    redis.UniversalClient
	events string // the pub/sub channel the operations publish on
	rounds rounds.Rounds[*opCall]
}

func newBatcher(rdb redis.UniversalClient, events string) *batcher {
	b := &batcher{rdb: rdb, events: events}
	b.rounds = rounds.Rounds[*opCall]{Do: b.send, Max: maxBatches, MaxItems: maxBatchSize, Inline: true}
	return b
}

// newOp is operation name with args (now first), ready for a batch.
func newOp(ctx context.Context, name string, keys []string, args []any) *opCall {
	return &opCall{ctx: ctx, name: name, keys: keys, args: args, done: make(chan struct{})}
}

// do runs the operation name with args (now first) in a batch and returns
// the events it made. An operation whose caller has gone by the time its
// batch leaves is not sent. The operations before, from a caller that
// calls one at a time, run first in the same call; each holds its own
// result once its done is closed.
func (b *batcher) do(ctx context.Context, name string, keys []string, args []any, before ...*opCall) ([]string, error) {
	c := newOp(ctx, name, keys, args)
	if len(before)+1 > maxBatchSize { // they would not share a call: send them first
		b.add(before...)
		for _, o := range before {
			<-o.done
		}
		before = nil
	}
	b.add(append(before, c)...)
	select {
	case <-c.done:
		return c.res, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// add queues operations, in order, for the next call.
func (b *batcher) add(ops ...*opCall) { b.rounds.Add(ops...) }

// send runs one round: one call per set of keys (a round that
// spans midnight has two days' statistics keys).
func (b *batcher) send(calls []*opCall) {
	for len(calls) > 0 {
		var same, rest []*opCall
		for _, c := range calls {
			switch {
			case c.ctx.Err() != nil:
				c.err = c.ctx.Err()
				close(c.done)
			case slices.Equal(c.keys, calls[0].keys):
				same = append(same, c)
			default:
				rest = append(rest, c)
			}
		}
		b.sendBatch(same)
		calls = rest
	}
}

func (b *batcher) sendBatch(calls []*opCall) {
	if len(calls) == 0 {
		return
	}
	argv := []any{b.events}
	for _, c := range calls {
		argv = append(argv, c.name, len(c.args))
		argv = append(argv, c.args...)
	}
	// The callers' contexts bound their own waits; the call itself is
	// bounded by the client's timeouts.
	res, err := fcall(context.Background(), b.rdb, calls[0].keys, argv...)
	if err == nil && len(res) != len(calls) {
		err = fmt.Errorf("routing: %d results for %d operations", len(res), len(calls))
	}
	for i, c := range calls {
		if err != nil {
			c.err = err
		} else {
			c.res, c.err = opResult(res[i])
		}
		close(c.done)
	}
}

// opResult reads one operation's result: {"ok", events...} or {"err", message}.
func opResult(v any) ([]string, error) {
	parts, ok := v.([]any)
	if !ok || len(parts) == 0 {
		return nil, fmt.Errorf("routing: unexpected script result %v", v)
	}
	out := make([]string, 0, len(parts)-1)
	for _, p := range parts[1:] {
		s, ok := p.(string)
		if !ok {
			return nil, fmt.Errorf("routing: unexpected script result %v", v)
		}
		out = append(out, s)
	}
	switch parts[0] {
	case "ok":
		return out, nil
	case "err":
		return nil, errors.New(strings.Join(out, " "))
	}
	return nil, fmt.Errorf("routing: unexpected script result %v", v)
}
