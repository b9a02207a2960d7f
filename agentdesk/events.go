package agentdesk

import (
	"context"
	"fmt"
	"time"

	"switchboard/channels"
	"switchboard/interactions"
	"switchboard/routing"
)

// shards is how many goroutines turn events into frames. Events of one
// agent always go to the same shard, so an agent's desk sees them in the
// order they happened (an offer is never overtaken by its withdrawal),
// while pops for different agents are built in parallel.
const shards = 16

// Run delivers routing and desk events (the channels' and other nodes'
// frames) to this node's desks, and the wallboard to its supervisors,
// until ctx ends. The subscriptions are live when Run returns without
// error; the loops continue in the background.
func (d *Desk) Run(ctx context.Context) error {
	d.life = ctx
	revents, err := d.deps.Engine.Subscribe(ctx)
	if err != nil {
		return fmt.Errorf("agentdesk: %w", err)
	}
	cevents, err := d.deps.Bus.Subscribe(ctx)
	if err != nil {
		return fmt.Errorf("agentdesk: %w", err)
	}
	if err := d.watchSessions(ctx); err != nil {
		return err
	}
	if d.deps.Tasks != nil {
		if err := d.watchTasks(ctx); err != nil {
			return err
		}
	}
	var work [shards]chan func()
	for i := range work {
		work[i] = make(chan func(), 1024)
		go worker(ctx, work[i])
	}
	dirty := make(chan struct{}, 1)
	go d.wallboardLoop(ctx, dirty)
	go d.presenceLoop(ctx)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-revents:
				if !ok {
					return
				}
				d.dispatch(ctx, work[shard(e.AgentID)], func() { d.onRouting(ctx, e) })
				select {
				case dirty <- struct{}{}:
				default:
				}
			case e, ok := <-cevents:
				if !ok {
					return
				}
				d.dispatch(ctx, work[shard(e.AgentID)], func() { d.onChannel(e) })
			}
		}
	}()
	return nil
}

func shard(agentID int64) int { return int(uint64(agentID) % shards) }

func worker(ctx context.Context, in <-chan func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case f := <-in:
			f()
		}
	}
}

// dispatch hands f to its shard, waiting if the shard is busy: events are
// never dropped here (Redis buffers behind us).
func (d *Desk) dispatch(ctx context.Context, w chan<- func(), f func()) {
	select {
	case w <- f:
	case <-ctx.Done():
	}
}

// onRouting turns one routing event into frames for the agent it concerns,
// when that agent has a desk on this node, and for the supervisors here.
func (d *Desk) onRouting(ctx context.Context, e routing.Event) {
	if e.Kind == routing.EventAgentState {
		b := encode(push("agent_state", agentState{AgentID: e.AgentID, State: e.State, Reason: e.Reason, At: e.At}))
		d.hub.toAgent(e.AgentID, b)
		d.hub.toSupervisors(b)
		return
	}
	if e.Kind == routing.EventDone {
		d.keepDraft(ctx, e)
	}
	if e.AgentID == 0 {
		return
	}
	viewer := d.hub.agent(e.AgentID)
	if viewer == nil {
		return
	}
	switch e.Kind {
	case routing.EventOffer:
		o, err := d.offer(ctx, viewer, e)
		if err != nil {
			// The agent still gets the offer, with an empty pop and the
			// reason, rather than nothing: the countdown is running.
			id := d.logError(ctx, "agentdesk: screen pop", err, "interaction", e.InteractionID)
			o = offer{Interaction: interactionFromEvent(e), ReservedAt: e.At, Expires: e.Expires, PopError: "internal error " + id}
		}
		if d.hub.toAgent(e.AgentID, encode(push("offer", o))) > 0 {
			d.pops.add(d.cfg.Now().Sub(e.At))
		}
	case routing.EventOfferWithdrawn:
		d.hub.toAgent(e.AgentID, encode(push("offer_withdrawn", withdrawn{InteractionID: e.InteractionID, Reason: e.Reason})))
	default:
		d.hub.toAgent(e.AgentID, encode(push("interaction", d.interactionUpdate(e))))
	}
}

// onChannel forwards a customer's message, typing or delivery status to the
// agent who holds the interaction, and a frame another node told the
// agent's desks (tell). The agent's own typing (shown to the customer) is
// not sent back to their desk, which would show it as the customer's.
func (d *Desk) onChannel(e channels.Event) {
	if e.AgentID == 0 || (e.Kind == "typing" && e.From == "agent") {
		return
	}
	switch e.Kind {
	case channels.EventFrame:
		d.hub.toAgent(e.AgentID, e.Frame)
	case "message":
		d.hub.toAgent(e.AgentID, encode(push("message", messageFrame{InteractionID: e.InteractionID, Channel: string(e.Channel), Message: e.Message})))
	case "typing":
		d.hub.toAgent(e.AgentID, encode(push("typing", typingFrame{InteractionID: e.InteractionID, Typing: e.Typing})))
	case "status":
		d.hub.toAgent(e.AgentID, encode(push("message_status", messageFrame{InteractionID: e.InteractionID, Channel: string(e.Channel), Message: e.Message})))
	}
}

type agentState struct {
	AgentID int64     `json:"agent_id"`
	State   string    `json:"state"`
	Reason  string    `json:"reason,omitempty"`
	At      time.Time `json:"at"`
}

type withdrawn struct {
	InteractionID int64  `json:"interaction_id"`
	Reason        string `json:"reason"`
}

type messageFrame struct {
	InteractionID int64                 `json:"interaction_id"`
	Channel       string                `json:"channel"`
	Message       *interactions.Message `json:"message"`
}

type typingFrame struct {
	InteractionID int64 `json:"interaction_id"`
	Typing        bool  `json:"typing"`
}

// update is an interaction's new state as the desk shows it.
type update struct {
	InteractionID int64     `json:"interaction_id"`
	Event         string    `json:"event"`
	State         string    `json:"state"`
	Reason        string    `json:"reason,omitempty"`
	Queue         string    `json:"queue,omitempty"`
	Expires       time.Time `json:"expires,omitzero"`
	CountdownMs   int64     `json:"countdown_ms,omitempty"` // to Expires, by the server's clock
	At            time.Time `json:"at"`
}

// eventStates is the interaction state each routing event leads to.
var eventStates = map[string]string{
	routing.EventAccepted:    "connected",
	routing.EventWrapUp:      "wrapup",
	routing.EventDone:        "done",
	routing.EventAbandoned:   "abandoned",
	routing.EventTransferred: "transferred",
	routing.EventOverflowed:  "queued",
	routing.EventQueued:      "queued",
}

func (d *Desk) interactionUpdate(e routing.Event) update {
	u := update{InteractionID: e.InteractionID, Event: e.Kind, State: eventStates[e.Kind], Reason: e.Reason,
		Queue: e.Queue, Expires: e.Expires, At: e.At}
	if !e.Expires.IsZero() {
		u.CountdownMs = d.wrapUpTime(e.Expires).CountdownMs
	}
	return u
}
