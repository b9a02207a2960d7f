package campaigns

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"switchboard/interactions"
	"switchboard/routing"
)

// UseRouting connects d to the routing engine, as every server process
// does: an answered call is queued in the answer's commit and handed to
// routing (Route), a call whose customer left is withdrawn (Unroute), and
// FollowRouting records who accepted.
func (d *Dialer) UseRouting(e *routing.Engine) {
	d.Route = func(ctx context.Context, q interactions.Queued) error { return q.Route(ctx) }
	d.Unroute, d.engine = e.Cancel, e
}

// FollowRouting records every agent's acceptance of an answered campaign
// call (Connected) until ctx ends. Routing publishes each acceptance to
// every process and recording it is idempotent, so every process runs
// this. It returns an error only when it cannot subscribe; call
// UseRouting first.
func (d *Dialer) FollowRouting(ctx context.Context) error {
	if d.engine == nil {
		return errors.New("campaigns: FollowRouting before UseRouting")
	}
	events, err := d.engine.Subscribe(ctx)
	if err != nil {
		return fmt.Errorf("campaigns: routing events: %w", err)
	}
	for e := range events {
		if e.Kind != routing.EventAccepted {
			continue
		}
		if err := d.Connected(ctx, e.InteractionID, e.AgentID); err != nil {
			d.log.Warn("dialer: connected", "interaction", e.InteractionID, "err", err)
		}
	}
	return nil
}

// campaignAgent picks the campaign agent an answered call is offered to:
// of c's agents available in routing's recorded presence, not on a voice
// call and not already promised another answered call, the one available
// longest. It returns 0 when none is free. The presence row is locked
// (skipping rows another answer holds), so two calls answered at once go
// to two agents.
func campaignAgent(ctx context.Context, tx pgx.Tx, c *Campaign) (int64, error) {
	if c == nil || len(c.AgentIDs) == 0 {
		return 0, nil
	}
	var id int64
	err := tx.QueryRow(ctx, `SELECT p.agent_id FROM agent_presence p
		WHERE p.agent_id = ANY($1) AND p.state = 'available'
		  AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.agent_id = p.agent_id AND i.channel = 'voice'
		      AND i.state IN ('offered', 'connected', 'wrapup'))
		  AND NOT EXISTS (SELECT 1 FROM outreach_attempts a WHERE a.live AND a.result = 'answered'
		      AND a.offered_to = p.agent_id)
		ORDER BY p.since, p.agent_id LIMIT 1 FOR UPDATE OF p SKIP LOCKED`, c.AgentIDs).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, err
}
