package agentdesk

import (
	"context"
	_ "embed"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/routing"
)

// ReasonDeskClosed is the break reason of an agent who was available when
// the last of their desks went away, on every node, for Config.DeskGone.
const ReasonDeskClosed = "desk_closed"

// seenKey is a sorted set of agents with an open desk, scored by when a
// node last saw one (Unix ms). Every node refreshes the agents it holds, so
// an agent whose score is old has no desk anywhere: closed, or on a node
// that died.
func (d *Desk) seenKey() string { return d.keys.DeskSeen() }

// presenceLoop keeps this node's agents fresh in seenKey and puts
// available agents whose desks are all gone on break, so routing does not
// offer work to nobody and wait out the offer's timeout each time. Agents
// who never opened a desk (a routing-only integration) are not in the set
// and are left alone. Runs on every node; unseen.lua gives each agent to
// one of them.
func (d *Desk) presenceLoop(ctx context.Context) {
	t := time.NewTicker(d.cfg.DeskGone / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := d.markSeen(ctx, d.hub.agentIDs()...); err != nil {
			d.cfg.Log.Warn("agentdesk: mark desks seen", "err", err)
		}
		if err := d.breakAgentsWithoutDesk(ctx); err != nil && ctx.Err() == nil {
			d.cfg.Log.Warn("agentdesk: agents without a desk", "err", err)
		}
	}
}

// markSeen records that agents have an open desk now.
func (d *Desk) markSeen(ctx context.Context, agentIDs ...int64) error {
	if len(agentIDs) == 0 {
		return nil
	}
	now := float64(d.cfg.Now().UnixMilli())
	members := make([]redis.Z, len(agentIDs))
	for i, id := range agentIDs {
		members[i] = redis.Z{Score: now, Member: id}
	}
	return d.deps.Redis.ZAdd(ctx, d.seenKey(), members...).Err()
}

//go:embed unseen.lua
var unseenLua string

var unseen = redis.NewScript(unseenLua)

// breakAgentsWithoutDesk takes the agents not seen for DeskGone out of the
// set and puts those still available on break.
func (d *Desk) breakAgentsWithoutDesk(ctx context.Context) error {
	cutoff := d.cfg.Now().Add(-d.cfg.DeskGone).UnixMilli()
	gone, err := unseen.Run(ctx, d.deps.Redis, []string{d.seenKey()}, cutoff, 1000).Int64Slice()
	if err != nil || len(gone) == 0 {
		return err
	}
	mine := map[int64]bool{}
	for _, id := range gone {
		mine[id] = true
	}
	states, err := d.deps.Engine.AgentStates(ctx)
	if err != nil {
		return err
	}
	for _, s := range states {
		if !mine[s.AgentID] || s.State != routing.AgentAvailable {
			continue
		}
		if hook := d.beforeBreak.Load(); hook != nil {
			(*hook)(s.AgentID)
		}
		// A desk may have opened since the sweep took the agent out of the
		// set (the sweep of many agents takes a while): it marked the agent
		// seen again, and an agent at a desk is never put on break.
		if seen, err := d.seenAgain(ctx, s.AgentID); err != nil || seen {
			if err != nil {
				return err
			}
			continue
		}
		err := d.deps.Engine.SetState(ctx, s.AgentID, routing.AgentBreak, ReasonDeskClosed)
		if err != nil && !errors.Is(err, switchboard.ErrNotFound) {
			return err
		}
		d.cfg.Log.Info("agentdesk: agent has no open desk: on break", "agent", s.AgentID)
	}
	return nil
}

// seenAgain reports whether agentID is back in the seen set: a desk opened
// on some node after the sweep took the agent out.
func (d *Desk) seenAgain(ctx context.Context, agentID int64) (bool, error) {
	err := d.deps.Redis.ZScore(ctx, d.seenKey(), strconv.FormatInt(agentID, 10)).Err()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	return err == nil, err
}
