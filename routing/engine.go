package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/fanout"
)

// Engine routes interactions to agents. One Engine runs in every server
// process; all of them share the Redis state of one contact centre and may
// call any method at the same time. Every decision is one atomic Lua
// operation in Redis, so no interaction has two live reservations and no
// agent exceeds its capacity, whichever process decides.
//
// With a nil pool the engine keeps no history and cannot rebuild Redis: that
// is the simulator's mode, and only the simulator's.
type Engine struct {
	cfg    Config
	rdb    redis.UniversalClient
	pool   *pgxpool.Pool
	log    *slog.Logger
	now    func() time.Time
	keys   keys
	batch  *batcher           // runs the routing operations in Redis
	events *fanout.Hub[Event] // this process's one subscription to the events

	laterMu sync.Mutex
	later   []*opCall  // to run ahead of the next operation (acceptLater)
	mu      sync.Mutex // guards queues
	queue   map[string]Queue
	spoken  spokenCache // which languages the queues' agents speak

	// writes groups the Postgres records of concurrent calls into shared
	// commits; nil without a pool.
	writes *groupCommit

	rebuilds atomic.Int64 // how many times this engine rebuilt Redis
	sawState atomic.Bool  // a script has run on the live state: a later loss may have writes in flight

	// node names this process in routing_nodes; deciding counts the
	// operations sent to Redis whose records are not yet handed to writes
	// (see quiet); acked is the last loss this engine answered.
	node     string
	deciding atomic.Int64
	ackMu    sync.Mutex
	acked    string
}

// Task is what a channel enqueues after it has committed the interaction
// row: everything routing needs to know about the waiting contact.
type Task struct {
	InteractionID int64
	Channel       switchboard.Channel
	Queue         string
	Tier          switchboard.ValueTier
	Skills        []string // required on top of the queue's skills, e.g. "cards"
	// Language is the customer's (profile, IVR choice, chat widget): the
	// task then needs an agent who speaks it, when an active agent who
	// speaks it can serve the queue (see Config.IgnoreLanguage).
	Language       string
	CustomerID     int64
	PreferredAgent int64     // the customer's relationship manager, or 0
	EnqueuedAt     time.Time // zero means now
}

// Target is where Transfer moves an interaction: a queue, or one agent
// (who must be logged in and eligible by capacity).
type Target struct {
	Queue   string
	AgentID int64
}

// AgentState is an agent's presence.
type AgentState string

const (
	AgentOffline   AgentState = "offline"
	AgentAvailable AgentState = "available"
	AgentBreak     AgentState = "break" // with a reason: lunch, training, missed_offer...
)

// ParseAgentState returns ErrInvalid for an unknown state.
func ParseAgentState(s string) (AgentState, error) {
	switch st := AgentState(s); st {
	case AgentOffline, AgentAvailable, AgentBreak:
		return st, nil
	}
	return "", switchboard.Errorf(switchboard.ErrInvalid, "unknown agent state %q (want available, break or offline)", s)
}

// Event kinds published by the engine.
const (
	EventOffer          = "offer"           // a reservation for AgentID, until Expires
	EventOfferWithdrawn = "offer_withdrawn" // declined, timed out, or the caller hung up
	EventAccepted       = "accepted"
	EventWrapUp         = "wrapup"    // conversation over, wrap-up until Expires
	EventDone           = "done"      // wrap-up over, capacity freed
	EventAbandoned      = "abandoned" // the customer left before an agent answered
	EventTransferred    = "transferred"
	EventOverflowed     = "overflowed"
	EventQueued         = "queued"
	EventAgentState     = "agent_state"
)

// Event is one routing change, published to every process.
type Event struct {
	Kind          string                `json:"kind"`
	InteractionID int64                 `json:"interaction_id,omitempty"`
	AgentID       int64                 `json:"agent_id,omitempty"`
	Channel       switchboard.Channel   `json:"channel,omitempty"`
	Queue         string                `json:"queue,omitempty"`
	Tier          switchboard.ValueTier `json:"tier,omitempty"`
	CustomerID    int64                 `json:"customer_id,omitempty"`
	State         string                `json:"state,omitempty"`  // agent state for agent_state
	Reason        string                `json:"reason,omitempty"` // why: declined, timeout, hangup, break reason
	Expires       time.Time             `json:"expires,omitzero"`
	EnqueuedAt    time.Time             `json:"enqueued_at,omitzero"`
	At            time.Time             `json:"at"`
}

// New returns an engine for cfg's contact centre. It loads the queues from
// Postgres when pool is not nil. now is the clock every decision reads; pass
// time.Now except in tests and the simulator.
func New(cfg Config, rdb redis.UniversalClient, pool *pgxpool.Pool, log *slog.Logger, now func() time.Time) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	e := &Engine{cfg: cfg, rdb: rdb, pool: pool, log: log, now: now,
		keys: newKeys(cfg.Prefix, cfg.Centre), queue: map[string]Queue{}, node: newNodeID()}
	e.batch = newBatcher(rdb, e.keys.events())
	e.events = fanout.New(rdb, e.keys.events(), subscriberQueue, e.decodeEvents, log)
	for _, q := range cfg.Queues {
		e.queue[q.Name] = q
	}
	if pool != nil {
		e.writes = newGroupCommit(pool)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.loadQueues(ctx); err != nil {
			return nil, fmt.Errorf("routing: %w", err)
		}
	}
	return e, nil
}

// Enqueue puts an interaction in its queue and tries to match it at once.
// The channel must have committed the interaction row first; with a pool,
// Enqueue writes the 'queued' event to Postgres before Redis, so a rebuild
// finds it. Enqueueing an interaction already in Redis changes nothing.
// Errors: ErrInvalid for a bad task (unknown channel, tier or queue),
// ErrNotFound when the interaction row does not exist, ErrUnavailable while
// Redis is unreachable or being rebuilt for longer than a few seconds.
func (e *Engine) Enqueue(ctx context.Context, t Task) error {
	return e.enqueue(ctx, t)
}

// Queued is an interaction made ready for routing by Prepare, for a
// channel that stores an interaction and queues it in one transaction:
// RecordQueued writes the 'queued' event in the channel's transaction, and
// once that has committed, Route hands the interaction to Redis. Enqueue
// is the three in a row, with a commit of its own.
type Queued struct {
	w    wireTask
	data []byte
}

// Prepare checks t and makes its queued record. Errors: ErrInvalid for a
// bad task (unknown channel, tier or queue).
func (e *Engine) Prepare(ctx context.Context, t Task) (Queued, error) {
	return e.prepare(ctx, t)
}

// RecordQueued writes the queued records of qs in tx, as Enqueue would
// before Redis. Errors: ErrNotFound when an interaction row does not exist,
// ErrConflict when one has ended.
func (e *Engine) RecordQueued(ctx context.Context, tx pgx.Tx, qs []Queued) error {
	return recordQueuedIn(ctx, tx, qs)
}

// Route queues an interaction whose queued record has committed and tries
// to match it at once, as the end of Enqueue does. Errors as Enqueue's.
func (e *Engine) Route(ctx context.Context, q Queued) error {
	return e.route(ctx, q)
}

// Cancel takes a waiting or offered interaction out of routing at once
// because the customer left: it becomes abandoned, and a pending offer is
// withdrawn. Errors: ErrNotFound when the interaction is not being routed,
// ErrConflict when an agent has already answered it (complete it instead).
func (e *Engine) Cancel(ctx context.Context, interactionID int64, reason string) error {
	return e.cancel(ctx, interactionID, reason)
}

// Login makes the agent present and available, with skills, tiers and
// capacities read from the agents table (or, without a pool, from
// Config.Agents). Logging in again refreshes them and keeps the load.
// Errors: ErrNotFound for an unknown or inactive agent.
func (e *Engine) Login(ctx context.Context, agentID int64) error {
	return e.login(ctx, agentID)
}

// SetState changes a logged-in agent's presence: available, break (with a
// reason), or offline (the same as Logout). Errors: ErrInvalid for an
// unknown state, ErrNotFound when the agent is not logged in, ErrConflict
// when going offline while holding a conversation.
func (e *Engine) SetState(ctx context.Context, agentID int64, st AgentState, reason string) error {
	return e.setState(ctx, agentID, st, reason)
}

// Logout takes the agent out of routing; pending offers go back to their
// place in the queue. Errors: ErrNotFound when not logged in, ErrConflict
// while the agent holds a connected or wrap-up interaction.
func (e *Engine) Logout(ctx context.Context, agentID int64) error {
	return e.setState(ctx, agentID, AgentOffline, "logout")
}

// Accept answers the agent's reservation: the interaction is connected.
// Errors: ErrNotFound when the agent holds no live offer of it (declined,
// expired, cancelled or offered to someone else).
func (e *Engine) Accept(ctx context.Context, agentID, interactionID int64) error {
	return e.run(ctx, opAccept, agentID, interactionID)
}

// Decline refuses the agent's reservation; the interaction goes back to its
// original place in the queue and is offered to someone else.
// Errors: ErrNotFound when the agent holds no live offer of it.
func (e *Engine) Decline(ctx context.Context, agentID, interactionID int64) error {
	return e.run(ctx, opDecline, agentID, interactionID, "declined", 0)
}

// Complete ends the conversation: the interaction goes to wrap-up, and the
// agent's capacity is freed when Config.WrapUp has passed or WrapUpDone is
// called. A conversation of this agent that has ended meanwhile (the
// caller hung up: it is in wrap-up or done) is no error, so the agent's
// wrap-up goes on. Errors: ErrNotFound when the agent is not connected to
// it and never was.
func (e *Engine) Complete(ctx context.Context, agentID, interactionID int64) error {
	err := e.run(ctx, opComplete, agentID, interactionID, e.cfg.WrapUp.Milliseconds())
	if errors.Is(err, switchboard.ErrNotFound) && e.endedWith(ctx, agentID, interactionID) {
		return nil
	}
	return err
}

// endedWith reports whether Postgres says the agent's conversation has
// ended (it is in wrap-up or done with that agent).
func (e *Engine) endedWith(ctx context.Context, agentID, interactionID int64) bool {
	if e.pool == nil {
		return false
	}
	var n int
	err := e.pool.QueryRow(ctx, `SELECT count(*) FROM interactions WHERE id = $1 AND agent_id = $2
		AND state IN ('wrapup', 'done')`, interactionID, agentID).Scan(&n)
	return err == nil && n == 1
}

// WrapUpDone ends the agent's wrap-up of the interaction early and frees the
// capacity. Errors: ErrNotFound when the interaction is not in wrap-up with
// this agent.
func (e *Engine) WrapUpDone(ctx context.Context, agentID, interactionID int64) error {
	return e.run(ctx, opWrapDone, agentID, interactionID)
}

// Transfer moves a live interaction to another queue or to one agent. A
// pending offer is withdrawn; a connected agent is released at once. The
// interaction keeps its original arrival time, so it is not sent to the back.
// An interaction sent to an agent waits for that agent up to Config.RMWait,
// then goes to its queue. Errors: ErrInvalid for an empty or unknown target,
// ErrNotFound when the interaction is not being routed.
func (e *Engine) Transfer(ctx context.Context, interactionID int64, to Target) error {
	return e.transfer(ctx, interactionID, to, EventTransferred)
}
