package campaigns

import (
	"context"
	"fmt"
)

// previewCampaign gives each of c's agents who has no open preview task in
// it the next contact, as a task in the agent's desk.
func (d *Dialer) previewCampaign(ctx context.Context, c *Campaign) (int, error) {
	rows, err := d.store.pool.Query(ctx, `SELECT a FROM unnest($1::bigint[]) a
		WHERE NOT EXISTS (SELECT 1 FROM outbound_tasks t WHERE t.agent_id = a AND t.campaign_id = $2
			AND t.state IN ('open', 'dialing'))`, nonNil(c.AgentIDs), c.ID)
	if err != nil {
		return 0, fmt.Errorf("preview agents: %w", err)
	}
	var idle []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		idle = append(idle, id)
	}
	rows.Close()
	decided := 0
	for _, agent := range idle {
		for decided < d.cfg.Decisions {
			_, r, ok, err := d.store.claimNext(ctx, d.cfg.Gate, d.cfg.Node, c, agent)
			if err != nil || !ok {
				return decided, err
			}
			decided++
			if r == ReasonNone {
				break
			}
		}
	}
	return decided, nil
}
