package channels

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/interactions"
	"switchboard/internal/fanout"
	"switchboard/internal/keyspace"
)

// Event is what the agents' desks are told besides routing: a channel's
// message, typing or delivery status, or a ready frame for every desk of
// one agent. See the package doc for the wire shape.
type Event struct {
	Kind          string                `json:"kind"` // message, typing, status, frame
	InteractionID int64                 `json:"interaction_id"`
	Channel       switchboard.Channel   `json:"channel"`
	AgentID       int64                 `json:"agent_id"`
	Message       *interactions.Message `json:"message,omitempty"`
	Typing        bool                  `json:"typing,omitempty"`
	// From says who is typing: "customer" or "agent".
	From string `json:"from,omitempty"`
	// Frame, of kind "frame", is a desk protocol frame as the desk sends it,
	// for the desks of AgentID on whichever node holds them: what routing
	// does not announce per agent (an interaction taken away by a transfer).
	Frame json.RawMessage `json:"frame,omitempty"`
}

// EventFrame is the kind of an Event that carries a desk Frame.
const EventFrame = "frame"

// Bus publishes Events on the desk-events channel of one contact centre
// (keyspace.DeskEvents) and delivers them to subscribers on every node,
// all the subscribers of a process sharing one Redis subscription. Pub/sub
// is lossy by design: an event missed by a node whose socket was down is
// found again in Postgres, which the desk and the chat reload on
// reconnect.
type Bus struct {
	rdb  redis.UniversalClient
	keys keyspace.Centre
	hub  *fanout.Hub[Event]
	log  *slog.Logger
}

// subscriberQueue is how many events a subscriber may fall behind by
// before it loses one (see internal/fanout): more than the 100 messages of
// go-redis's channel that each had when it subscribed alone.
const subscriberQueue = 1000

// NewBus returns the Bus of centre's desk events under the Redis key
// prefix.
func NewBus(rdb redis.UniversalClient, prefix, centre string, log *slog.Logger) *Bus {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Bus{rdb: rdb, keys: keyspace.New(prefix, centre), log: log}
	b.hub = fanout.New(rdb, b.keys.DeskEvents(), subscriberQueue, b.decode, log)
	return b
}

// Channel is the Redis pub/sub channel name.
func (b *Bus) Channel() string { return b.hub.Channel() }

// Publish sends e to every subscriber.
func (b *Bus) Publish(ctx context.Context, e Event) error {
	p, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("channels: encode event: %w", err)
	}
	if err := b.rdb.Publish(ctx, b.Channel(), p).Err(); err != nil {
		return fmt.Errorf("channels: publish %s of %d: %w", e.Kind, e.InteractionID, err)
	}
	return nil
}

// PublishAll sends events to every subscriber, in order, in one round trip
// to Redis.
func (b *Bus) PublishAll(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	payloads := make([][]byte, len(events))
	for i, e := range events {
		p, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("channels: encode event: %w", err)
		}
		payloads[i] = p
	}
	_, err := b.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, p := range payloads {
			pipe.Publish(ctx, b.Channel(), p)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("channels: publish %d events: %w", len(events), err)
	}
	return nil
}

// Subscribe delivers events until ctx ends; the returned channel is closed
// then. The subscription is live when Subscribe returns. A subscriber must
// keep up: one that falls subscriberQueue events behind loses the next
// ones, and the process's other subscribers do not wait for it.
func (b *Bus) Subscribe(ctx context.Context) (<-chan Event, error) {
	evs, err := b.hub.Subscribe(ctx)
	if err != nil {
		return nil, fmt.Errorf("channels: subscribe %s: %w", b.Channel(), err)
	}
	return evs, nil
}

func (b *Bus) decode(payload string) []Event {
	var e Event
	if err := json.Unmarshal([]byte(payload), &e); err != nil {
		b.log.Warn("channels: bad event on bus", "err", err)
		return nil
	}
	return []Event{e}
}

// Claim makes one node of many do a job once: it reports true to the first
// caller for name within ttl, false to the others.
func (b *Bus) Claim(ctx context.Context, name string, ttl time.Duration) (bool, error) {
	ok, err := b.rdb.SetNX(ctx, b.keys.Claim(name), 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("channels: claim %s: %w", name, err)
	}
	return ok, nil
}
