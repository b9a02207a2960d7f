package agentdesk

import (
	"context"
	"encoding/json"
	"fmt"
)

// told is a frame for one agent's desks on whichever node holds them, for
// changes routing does not announce per agent (an interaction taken away
// by a transfer or a supervisor's move).
type told struct {
	AgentID int64           `json:"agent_id"`
	Frame   json.RawMessage `json:"frame"`
}

// tellChannel is the Redis pub/sub channel of told frames.
func (d *Desk) tellChannel() string { return d.keys.DeskTell() }

// tell sends frame f to every desk of agentID, on every node.
func (d *Desk) tell(ctx context.Context, agentID int64, f outFrame) error {
	b, err := json.Marshal(told{AgentID: agentID, Frame: encode(f)})
	if err != nil {
		return fmt.Errorf("agentdesk: tell %d: %w", agentID, err)
	}
	if err := d.deps.Redis.Publish(ctx, d.tellChannel(), b).Err(); err != nil {
		return fmt.Errorf("agentdesk: tell %d: %w", agentID, err)
	}
	return nil
}

// subscribeTold delivers told frames to this node's desks until ctx ends.
// The subscription is live when it returns.
func (d *Desk) subscribeTold(ctx context.Context) error {
	sub := d.deps.Redis.Subscribe(ctx, d.tellChannel())
	if _, err := sub.Receive(ctx); err != nil {
		sub.Close()
		return fmt.Errorf("agentdesk: subscribe %s: %w", d.tellChannel(), err)
	}
	go func() {
		defer sub.Close()
		ch := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-ch:
				if !ok {
					return
				}
				var t told
				if err := json.Unmarshal([]byte(m.Payload), &t); err != nil {
					d.cfg.Log.Warn("agentdesk: bad told frame", "err", err)
					continue
				}
				d.hub.toAgent(t.AgentID, t.Frame)
			}
		}
	}()
	return nil
}
