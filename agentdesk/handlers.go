package agentdesk

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"switchboard"
	"switchboard/routing"
)

// handler answers one client frame type. The result is the "ok" reply's
// data; an error becomes the "error" reply.
type handler struct {
	roles []switchboard.Role // who may send it; empty means everyone
	fn    func(ctx context.Context, c *client, data json.RawMessage) (any, error)
}

func (d *Desk) routes() map[string]handler {
	all := []switchboard.Role(nil)
	sup := []switchboard.Role{switchboard.RoleSupervisor}
	return map[string]handler{
		"sync":          {all, d.onSync},
		"set_state":     {all, d.onSetState},
		"accept":        {all, d.onAccept},
		"decline":       {all, d.onDecline},
		"send":          {all, d.onSend},
		"typing":        {all, d.onTyping},
		"end":           {all, d.onEnd},
		"wrapup":        {all, d.onWrapUp},
		"wrapup_draft":  {all, d.onWrapUpDraft},
		"extend_wrapup": {all, d.onExtendWrapUp},
		"transfer":      {all, d.onTransfer},
		"hold":          {all, d.onHold(true)},
		"resume":        {all, d.onHold(false)},
		"link":          {all, d.onLink},
		"search":        {all, d.onSearch},
		"directory":     {all, d.onDirectory},
		"force_state":   {sup, d.onForceState},
		"move":          {sup, d.onMove},

		"tasks":        {all, d.onTasks},
		"task_view":    {all, d.onTaskView},
		"task_dial":    {all, d.onTaskDial},
		"task_outcome": {all, d.onTaskOutcome},
	}
}

// handle runs the handler of f and queues its reply. It runs on the desk's
// reader goroutine, so one desk's frames are handled in order.
func (d *Desk) handle(ctx context.Context, c *client, f inFrame) {
	h, ok := d.handlers[f.Type]
	var out any
	var err error
	switch {
	case d.sessionEnded(ctx, c):
		err = switchboard.Errorf(switchboard.ErrUnauthorized, "the session has ended; sign in again")
	case !ok:
		err = switchboard.Errorf(switchboard.ErrInvalid, "unknown frame type %q", f.Type)
	case len(h.roles) > 0 && !c.agent.Can(h.roles...):
		err = switchboard.Errorf(switchboard.ErrForbidden, "the %s role may not send %s", c.agent.Role, f.Type)
	default:
		hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		out, err = h.fn(hctx, c, f.Data)
		cancel()
	}
	if err != nil {
		id := ""
		if switchboard.ErrorMessage(err) == "" {
			id = d.logError(ctx, "agentdesk: "+f.Type, err, "agent", c.agent.ID)
		}
		c.enqueue(encode(errorFrame(f.ID, err, id)))
		return
	}
	c.enqueue(encode(reply(f.ID, out)))
}

type idData struct {
	InteractionID int64 `json:"interaction_id"`
}

func (x idData) check() error {
	if x.InteractionID <= 0 {
		return switchboard.Errorf(switchboard.ErrInvalid, "interaction_id is required")
	}
	return nil
}

// decodeID reads frames whose data is only an interaction id.
func decodeID(raw json.RawMessage) (int64, error) {
	var x idData
	if err := decodeData(raw, &x); err != nil {
		return 0, err
	}
	return x.InteractionID, x.check()
}

func (d *Desk) onSync(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	if err := decodeData(raw, &struct{}{}); err != nil {
		return nil, err
	}
	return d.snapshot(ctx, c.agent)
}

type stateData struct {
	State  string `json:"state"`
	Reason string `json:"reason"`
}

func (x stateData) parse() (routing.AgentState, error) {
	st, err := routing.ParseAgentState(x.State)
	if err != nil {
		return "", err
	}
	if len(x.Reason) > 64 {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "reason is longer than 64 characters")
	}
	if st == routing.AgentBreak && x.Reason == "" {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "a break needs a reason")
	}
	return st, nil
}

// onSetState changes the agent's own presence. Going available logs in to
// routing first (which reads the agent's skills and capacity), so the
// desk's state selector is the only control an agent needs.
func (d *Desk) onSetState(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	var x stateData
	if err := decodeData(raw, &x); err != nil {
		return nil, err
	}
	st, err := x.parse()
	if err != nil {
		return nil, err
	}
	return nil, d.setState(ctx, c.agent.ID, st, x.Reason)
}

func (d *Desk) setState(ctx context.Context, agentID int64, st routing.AgentState, reason string) error {
	if st == routing.AgentAvailable {
		if err := d.deps.Engine.Login(ctx, agentID); err != nil {
			return err
		}
		return nil
	}
	err := d.deps.Engine.SetState(ctx, agentID, st, reason)
	if errors.Is(err, switchboard.ErrNotFound) && st == routing.AgentBreak {
		// A desk may start its day on a break: present, but not offered work.
		if err := d.deps.Engine.Login(ctx, agentID); err != nil {
			return err
		}
		return d.deps.Engine.SetState(ctx, agentID, st, reason)
	}
	return err
}

func (d *Desk) onAccept(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	id, err := decodeID(raw)
	if err != nil {
		return nil, err
	}
	return nil, d.deps.Engine.Accept(ctx, c.agent.ID, id)
}

func (d *Desk) onDecline(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	id, err := decodeID(raw)
	if err != nil {
		return nil, err
	}
	return nil, d.deps.Engine.Decline(ctx, c.agent.ID, id)
}

// onEnd ends the conversation: the interaction goes to wrap-up.
func (d *Desk) onEnd(ctx context.Context, c *client, raw json.RawMessage) (any, error) {
	id, err := decodeID(raw)
	if err != nil {
		return nil, err
	}
	return nil, d.deps.Engine.Complete(ctx, c.agent.ID, id)
}
