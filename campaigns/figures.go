package campaigns

import (
	"context"
	"fmt"
	"time"
)

// Figures returns campaign id's pacing figures for the campaign day; Free
// and Busy are left for the caller to fill.
//
// The campaign day starts at midnight UTC. Neither a campaign nor the
// centre has a time zone of its own (customers have theirs, for calling
// windows, and one campaign calls many zones), so there is no local
// midnight to count from. For the bank's home market it makes no
// difference: midnight UTC is 08:00 in China, before the calling window
// opens. A campaign calling the Americas has its day turn over in the
// evening, inside its window; a centre or campaign time zone, once there is
// one, belongs here.
func (s *Store) Figures(ctx context.Context, id int64) (Figures, error) {
	now := s.Now()
	day := now.Truncate(24 * time.Hour)
	var f Figures
	var aht float64
	err := s.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE result <> 'skipped' AND at >= $2),
			count(*) FILTER (WHERE answered_by IN ('human', 'unknown', '') AND answered_at >= $2),
			count(*) FILTER (WHERE result = 'abandoned' AND at >= $2),
			count(*) FILTER (WHERE live AND result = 'dialing'),
			count(*) FILTER (WHERE live AND result = 'answered'),
			coalesce(avg(extract(epoch FROM ended_at - agent_at)) FILTER (WHERE agent_at IS NOT NULL AND ended_at IS NOT NULL AND at >= $2), 0)
		FROM outreach_attempts WHERE campaign_id = $1 AND (at >= $2 OR live)`, id, day).
		Scan(&f.Dialled, &f.Answered, &f.Abandon, &f.InFlight, &f.Waiting, &aht)
	if err != nil {
		return f, fmt.Errorf("campaigns: figures of %d: %w", id, err)
	}
	f.AHT = time.Duration(aht * float64(time.Second))
	return f, nil
}

// Agents counts campaign c's agents who are available in routing's
// recorded presence and not on a call (free), and those on a call (busy).
func (s *Store) Agents(ctx context.Context, c *Campaign) (free, busy int, err error) {
	err = s.pool.QueryRow(ctx, `WITH a AS (
			SELECT p.agent_id, EXISTS (SELECT 1 FROM interactions i WHERE i.agent_id = p.agent_id
				AND i.channel = 'voice' AND i.state IN ('offered', 'connected', 'wrapup')) AS on_call
			FROM agent_presence p WHERE p.agent_id = ANY($1) AND p.state = 'available')
		SELECT count(*) FILTER (WHERE NOT on_call), count(*) FILTER (WHERE on_call) FROM a`, nonNil(c.AgentIDs)).
		Scan(&free, &busy)
	if err != nil {
		return 0, 0, fmt.Errorf("campaigns: agents of %d: %w", c.ID, err)
	}
	return free, busy, nil
}
