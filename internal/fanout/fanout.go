// Package fanout shares one Redis pub/sub subscription among the
// consumers of a process: a Hub reads a channel once, decodes each message
// once, and hands the result to every consumer subscribed in memory.
//
// Slow consumers. Each consumer has a queue of its own, of New's queue
// messages, and then its channel of 256 items, as each had before it
// shared a subscription (go-redis's channel of a subscription, then 256
// items; the users of a Hub make its queue no smaller than that was). The
// one reader never waits for a consumer: a message that finds a consumer's
// queue full is dropped for that consumer alone, counted, and logged at
// most once a minute, and the other consumers get it. (Alone on its
// subscription, a consumer that stayed full lost the message too, after
// go-redis had waited a minute; here that wait would hold up every
// consumer of the process, and Redis would in the end cut the shared
// connection for its output buffer.) Pub/sub is lossy anyway: what a
// consumer misses while away it reads again from the state it follows.
package fanout

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// out is the size of each consumer's channel of items.
const out = 256

// Hub delivers the messages of one Redis pub/sub channel to the consumers
// of this process. The subscription is made by the first Subscribe and
// closed when the last consumer leaves. It is safe for concurrent use.
type Hub[T any] struct {
	rdb     redis.UniversalClient
	channel string
	decode  func(payload string) []T
	queue   int
	log     *slog.Logger

	mu  sync.Mutex
	cur *subscription[T] // nil while no one is subscribed
}

// New returns a Hub of channel. decode turns a message into the items
// consumers receive (none to skip it); it is called once per message, on
// the reader's goroutine, and every consumer gets the same items, which
// they must not change. queue is how many messages a consumer may fall
// behind by before it loses one.
func New[T any](rdb redis.UniversalClient, channel string, queue int, decode func(payload string) []T, log *slog.Logger) *Hub[T] {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Hub[T]{rdb: rdb, channel: channel, decode: decode, queue: queue, log: log}
}

// Channel is the Redis pub/sub channel name.
func (h *Hub[T]) Channel() string { return h.channel }

type subscription[T any] struct {
	ps        *redis.PubSub
	consumers map[*consumer[T]]struct{}
}

type consumer[T any] struct {
	in      chan []T // closed by the reader when the subscription ends
	dropped int      // messages lost since the last warning; under Hub.mu
	warned  time.Time
}

// Subscribe returns every item published from now on, in order, until ctx
// ends or the subscription ends for good (the client was closed); then the
// channel is closed. The subscription is live when Subscribe returns. The
// error is Redis's, when it refuses the first subscription.
func (h *Hub[T]) Subscribe(ctx context.Context) (<-chan T, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cur == nil {
		ps := h.rdb.Subscribe(ctx, h.channel)
		if _, err := ps.Receive(ctx); err != nil {
			ps.Close()
			return nil, err
		}
		h.cur = &subscription[T]{ps: ps, consumers: map[*consumer[T]]struct{}{}}
		go h.read(h.cur)
	}
	c := &consumer[T]{in: make(chan []T, h.queue)}
	h.cur.consumers[c] = struct{}{}
	items := make(chan T, out)
	go h.pump(ctx, h.cur, c, items)
	return items, nil
}

// read hands every message of s to its consumers until s is closed.
func (h *Hub[T]) read(s *subscription[T]) {
	for m := range s.ps.Channel(redis.WithChannelSize(h.queue)) {
		items := h.decode(m.Payload)
		if len(items) == 0 {
			continue
		}
		h.mu.Lock()
		for c := range s.consumers {
			select {
			case c.in <- items:
			default:
				h.droppedLocked(c)
			}
		}
		h.mu.Unlock()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range s.consumers {
		close(c.in)
	}
	clear(s.consumers)
	if h.cur == s {
		h.cur = nil
	}
}

func (h *Hub[T]) droppedLocked(c *consumer[T]) {
	c.dropped++
	if now := time.Now(); now.Sub(c.warned) >= time.Minute {
		h.log.Warn("fanout: a consumer fell behind; messages dropped for it", "channel", h.channel,
			"dropped", c.dropped, "queue", h.queue)
		c.warned, c.dropped = now, 0
	}
}

// pump delivers c's messages to items, item by item, until ctx ends or the
// subscription does.
func (h *Hub[T]) pump(ctx context.Context, s *subscription[T], c *consumer[T], items chan<- T) {
	defer close(items)
	defer h.leave(s, c)
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-c.in:
			if !ok {
				return
			}
			for _, it := range msg {
				select {
				case items <- it:
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

// leave takes c out of s, and closes s when c was its last consumer.
func (h *Hub[T]) leave(s *subscription[T], c *consumer[T]) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := s.consumers[c]; !ok {
		return // s ended, and closed c.in
	}
	delete(s.consumers, c)
	if len(s.consumers) == 0 && h.cur == s {
		h.cur = nil
		s.ps.Close()
	}
}
