package agentdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/interactions"
)

// maxBody bounds an agent's message: ten SMS segments, or a long chat line.
const maxBody = 1600

type sendData struct {
	InteractionID int64  `json:"interaction_id"`
	Body          string `json:"body"`
	ClientMsgID   string `json:"client_msg_id"`
}

func (x sendData) check() error {
	switch {
	case x.InteractionID <= 0:
		return switchboard.Errorf(switchboard.ErrInvalid, "interaction_id is required")
	case strings.TrimSpace(x.Body) == "":
		return switchboard.Errorf(switchboard.ErrInvalid, "the message is empty")
	case utf8.RuneCountInString(x.Body) > maxBody:
		return switchboard.Errorf(switchboard.ErrInvalid, "the message is longer than %d characters", maxBody)
	case x.ClientMsgID == "" || len(x.ClientMsgID) > 64:
		return switchboard.Errorf(switchboard.ErrInvalid, "client_msg_id (1 to 64 characters) is required, so a resend is not sent twice")
	}
	return nil
}

// onSend sends the agent's reply through the interaction's channel (its
// Replier). The stored message is the reply's data.
func (d *Desk) onSend(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x sendData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	if err := x.check(); err != nil {
		return nil, err
	}
	l, err := d.owned(ctx, c.agent.ID, x.InteractionID, switchboard.StateConnected)
	if err != nil {
		return nil, err
	}
	if l.Channel == switchboard.ChannelVoice {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "interaction %d is a call; messages go on SMS and chat", l.ID)
	}
	reply, ok := d.deps.Repliers[l.Channel]
	if !ok {
		return nil, switchboard.Errorf(switchboard.ErrUnavailable, "replies are not configured on this server")
	}
	m, err := reply(ctx, c.agent.ID, x.InteractionID, x.Body, x.ClientMsgID)
	if err != nil {
		return nil, err
	}
	// The agent's other desks (a second screen) show the reply too.
	d.hub.toAgent(c.agent.ID, encode(push("message", messageFrame{InteractionID: l.ID, Channel: string(l.Channel), Message: &m})))
	return m, nil
}

// owned loads an interaction the agent holds in one of states.
// ErrNotFound hides interactions of other agents, so a desk cannot probe
// them; ErrConflict names a state that does not allow the action.
func (d *Desk) owned(ctx context.Context, agentID, id int64, states ...switchboard.State) (interactions.Live, error) {
	l, err := interactions.Load(ctx, d.deps.Pool, id)
	if err != nil {
		return l, err
	}
	if l.AgentID != agentID {
		return l, switchboard.Errorf(switchboard.ErrNotFound, "interaction %d is not yours", id)
	}
	for _, s := range states {
		if l.State == s {
			return l, nil
		}
	}
	return l, switchboard.Errorf(switchboard.ErrConflict, "interaction %d is %s", id, l.State)
}

type typingData struct {
	InteractionID int64 `json:"interaction_id"`
	Typing        bool  `json:"typing"`
}

// onTyping tells the customer's chat that the agent is typing. SMS has no
// typing indicator; the reply says whether it was delivered.
func (d *Desk) onTyping(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x typingData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	l, err := d.owned(ctx, c.agent.ID, x.InteractionID, switchboard.StateConnected)
	if err != nil {
		return nil, err
	}
	if l.Channel != switchboard.ChannelChat || d.deps.Typing == nil {
		return map[string]bool{"delivered": false}, nil
	}
	if err := d.deps.Typing(ctx, c.agent.ID, l.ID, x.Typing); err != nil {
		return nil, err
	}
	return map[string]bool{"delivered": true}, nil
}

// onHold puts a call on hold or takes it off, and records when, so the
// hold time shows in the interaction's history.
func (d *Desk) onHold(hold bool) func(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	kind := map[bool]interactions.Kind{true: interactions.KindHold, false: interactions.KindResume}[hold]
	return func(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
		id, err := decodeID(raw)
		if err != nil {
			return nil, err
		}
		l, err := d.owned(ctx, c.agent.ID, id, switchboard.StateConnected)
		if err != nil {
			return nil, err
		}
		if l.Channel != switchboard.ChannelVoice {
			return nil, switchboard.Errorf(switchboard.ErrInvalid, "only calls can be put on hold")
		}
		if d.deps.Hold != nil {
			if err := d.deps.Hold(ctx, l.ID, hold); err != nil {
				return nil, err
			}
		}
		err = d.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
			return interactions.AddEvent(ctx, tx, now, l.ID, kind, c.agent.ID, nil)
		})
		if err != nil {
			return nil, fmt.Errorf("agentdesk: %s %d: %w", kind, id, err)
		}
		st := map[bool]string{true: "held", false: "connected"}[hold]
		d.hub.toAgent(c.agent.ID, encode(push("call", callFrame{InteractionID: l.ID, State: st})))
		return callFrame{InteractionID: l.ID, State: st}, nil
	}
}

type callFrame struct {
	InteractionID int64  `json:"interaction_id"`
	State         string `json:"state"`
}
