package agentdesk

import (
	"context"
	"fmt"

	"switchboard/channels"
)

// tell sends frame f to every desk of agentID, on every node, for changes
// routing does not announce per agent (an interaction taken away by a
// transfer or a supervisor's move). It travels on the desk-events Bus
// with the channels' events, and reaches the desks through onChannel.
func (d *Desk) tell(ctx context.Context, agentID int64, f outFrame) error {
	if err := d.deps.Bus.Publish(ctx, channels.Event{Kind: channels.EventFrame, AgentID: agentID, Frame: encode(f)}); err != nil {
		return fmt.Errorf("agentdesk: tell %d: %w", agentID, err)
	}
	return nil
}
