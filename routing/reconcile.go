package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard/internal/keyspace"
)

// Reconcile corrects Postgres where it disagrees with Redis for longer
// than a moment, while Redis holds the routing state. Every decision's
// record is made again until Postgres has it, but a process that dies
// while Postgres is away takes the records it had not made yet with it:
// Postgres would keep an interaction queued that Redis has connected, or
// in wrap-up one that is done, and a later rebuild from Postgres would
// bring it back. Reconcile finds each such row, and each agent whose
// presence differs, twice, Config.RebuildSettle apart (so a record on its
// way is not mistaken for a lost one), and writes what Redis holds, as a
// 'reconciled' event: an interaction Redis has ended (it keeps the ends of
// the last hour) is ended, with its state and agent otherwise. An
// interaction Postgres holds live that Redis neither routes nor ended
// stays as it is (a channel may be about to hand it to routing). It
// returns how many rows it corrected. Run calls it every
// Config.ReconcileEvery on one process at a time.
func (e *Engine) Reconcile(ctx context.Context) (int, error) {
	if e.pool == nil {
		return 0, nil
	}
	first, err := e.disagreements(ctx)
	if err != nil || len(first.rows)+len(first.agents) == 0 {
		return 0, err
	}
	select {
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(e.cfg.RebuildSettle):
	}
	again, err := e.disagreements(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for id, want := range again.rows {
		if first.rows[id] != want {
			continue // it moved meanwhile: not lost, or not yet known to be
		}
		ok, err := e.correctRow(ctx, id, want, again.seq)
		if err != nil {
			return n, fmt.Errorf("routing: reconcile interaction %d: %w", id, err)
		}
		if ok {
			n++
			e.log.Warn("routing: Postgres corrected from Redis", "interaction", id, "to", want.state, "agent", want.agent)
		}
	}
	for id, want := range again.agents {
		if first.agents[id] != want {
			continue
		}
		if _, err := e.pool.Exec(ctx, presenceSQL, id, want.state, want.reason, e.now(), again.seq); err != nil {
			return n, fmt.Errorf("routing: reconcile agent %d: %w", id, err)
		}
		n++
		e.log.Warn("routing: Postgres corrected from Redis", "agent", id, "to", want.state)
	}
	return n, nil
}

// rowWant is what Redis says an interaction's row should hold.
type rowWant struct {
	state string
	agent int64
}

// drift is what Postgres should change to agree with Redis, as of
// decision seq: interactions, and agents' presence.
type drift struct {
	seq    int64
	rows   map[int64]rowWant
	agents map[int64]presence
}

// presence is an agent's state and reason.
type presence struct{ state, reason string }

// disagreements reads Postgres, then Redis in one transaction, and lists
// where they differ. Postgres is read first: a decision made in between
// is in the Redis snapshot, so Postgres is only ever set to a state at
// least as new as the one it had.
func (e *Engine) disagreements(ctx context.Context) (drift, error) {
	d := drift{rows: map[int64]rowWant{}, agents: map[int64]presence{}}
	pgRows, pgAgents, err := e.pgLive(ctx)
	if err != nil {
		return d, err
	}
	k := e.keys
	var alive *redis.IntCmd
	var seq *redis.StringCmd
	var states, agents *redis.MapStringStringCmd
	var ended *redis.FloatSliceCmd
	order := slices.Sorted(maps.Keys(pgRows))
	ids := make([]string, 0, 2*len(order))
	for _, id := range order {
		ids = append(ids, fmt.Sprintf("%d|done", id), fmt.Sprintf("%d|abandoned", id))
	}
	_, err = e.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		alive = p.Exists(ctx, k.key(keyspace.Alive))
		seq = p.Get(ctx, k.key(keyspace.Seq))
		states = p.HGetAll(ctx, k.key(keyspace.TaskState))
		agents = p.HGetAll(ctx, k.key(keyspace.Agent))
		if len(ids) > 0 {
			ended = p.ZMScore(ctx, k.key(keyspace.Ended), ids...)
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return d, fmt.Errorf("routing: reconcile: read Redis: %w", err)
	}
	if alive.Val() == 0 {
		return d, nil // being rebuilt: Postgres is the source now
	}
	if seq.Err() == redis.Nil {
		return d, nil // no decision made yet: nothing can disagree
	}
	if d.seq, err = strconv.ParseInt(seq.Val(), 10, 64); err != nil {
		return d, fmt.Errorf("routing: reconcile: decision counter %q: %w", seq.Val(), err)
	}
	var endedAt []float64
	if ended != nil {
		endedAt = ended.Val()
	}
	i := 0
	for _, id := range order {
		have := pgRows[id]
		want, ok := redisRow(states.Val(), id, endedAt[i:i+2])
		i += 2
		if ok && want != have {
			d.rows[id] = want
		}
	}
	for id, have := range pgAgents {
		want := presence{state: string(AgentOffline), reason: "logout"}
		if v, ok := agents.Val()[strconv.FormatInt(id, 10)]; ok {
			var a wireAgent
			if err := json.Unmarshal([]byte(v), &a); err != nil {
				return d, fmt.Errorf("routing: reconcile: agent %d: %w", id, err)
			}
			want = presence{state: a.S, reason: a.Rs}
		}
		if want.state != have.state {
			d.agents[id] = want
		}
	}
	for v := range maps.Values(agents.Val()) {
		var a wireAgent
		if err := json.Unmarshal([]byte(v), &a); err != nil {
			return d, fmt.Errorf("routing: reconcile: agent: %w", err)
		}
		if _, ok := pgAgents[a.ID]; !ok {
			d.agents[a.ID] = presence{state: a.S, reason: a.Rs}
		}
	}
	return d, nil
}

// redisRow is what Redis says of interaction id: its state and agent, or
// that it ended (ended holds the scores of "id|done" and "id|abandoned").
// It reports false when Redis knows nothing of it.
func redisRow(states map[string]string, id int64, ended []float64) (rowWant, bool) {
	if s, ok := states[strconv.FormatInt(id, 10)]; ok {
		var t wireTask
		if t.setState(s) != nil {
			return rowWant{}, false
		}
		if t.St == "queued" {
			t.Ag = 0
		}
		return rowWant{state: t.St, agent: t.Ag}, true
	}
	switch {
	case ended[0] > 0:
		return rowWant{state: "done"}, true
	case ended[1] > 0:
		return rowWant{state: "abandoned"}, true
	}
	return rowWant{}, false
}

// pgLive reads the interactions Postgres holds live, with their agent, and
// the presence of every agent.
func (e *Engine) pgLive(ctx context.Context) (map[int64]rowWant, map[int64]presence, error) {
	rows, err := e.pool.Query(ctx, `SELECT id, state, COALESCE(agent_id, 0) FROM interactions
		WHERE state IN ('queued', 'offered', 'connected', 'wrapup')`)
	if err != nil {
		return nil, nil, fmt.Errorf("routing: reconcile: %w", err)
	}
	live := map[int64]rowWant{}
	for rows.Next() {
		var id int64
		var w rowWant
		if err := rows.Scan(&id, &w.state, &w.agent); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("routing: reconcile: %w", err)
		}
		if w.state == "queued" {
			w.agent = 0
		}
		live[id] = w
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("routing: reconcile: %w", err)
	}
	present := map[int64]presence{}
	prow, err := e.pool.Query(ctx, `SELECT agent_id, state, reason FROM agent_presence`)
	if err != nil {
		return nil, nil, fmt.Errorf("routing: reconcile: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var id int64
		var p presence
		if err := prow.Scan(&id, &p.state, &p.reason); err != nil {
			return nil, nil, fmt.Errorf("routing: reconcile: %w", err)
		}
		present[id] = p
	}
	return live, present, prow.Err()
}

// reconcileSQL sets an interaction's row to what Redis holds, as of
// decision $4 (a later decision's record still wins), with a
// 'reconciled' event: $1 id, $2 state, $3 agent, $4 decision, $5 now.
const reconcileSQL = `WITH upd AS (UPDATE interactions SET state = $2, agent_id = $3, routing_seq = $4,
		ended_at = CASE WHEN $2 IN ('done', 'abandoned') THEN COALESCE(ended_at, $5) ELSE ended_at END,
		end_reason = CASE WHEN $2 IN ('done', 'abandoned') AND end_reason = ''
			THEN CASE WHEN $2 = 'done' THEN 'completed' ELSE 'abandoned' END ELSE end_reason END
		WHERE id = $1 AND routing_seq < $4 AND state IN ('queued', 'offered', 'connected', 'wrapup')
		RETURNING id, state)
	INSERT INTO interaction_events (interaction_id, at, kind, agent_id, data, routing_seq)
	SELECT id, $5, 'reconciled', $3, jsonb_build_object('state', $2::text, 'v', $4::bigint), $4 FROM upd
	ON CONFLICT (interaction_id, routing_seq) WHERE routing_seq IS NOT NULL DO NOTHING
	RETURNING interaction_id`

// correctRow writes want to interaction id's row; false when a newer
// decision's record got there first.
func (e *Engine) correctRow(ctx context.Context, id int64, want rowWant, seq int64) (bool, error) {
	tag, err := e.pool.Exec(ctx, reconcileSQL, id, want.state, nullID(want.agent), seq, e.now())
	return err == nil && tag.RowsAffected() > 0, err
}
