package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/internal/keyspace"
)

// recoverState brings back the routing state after Redis lost it (or on the
// first start): one process rebuilds it from Postgres while the others wait
// for the sentinel. Without a pool there is nothing to rebuild from, and
// the engine starts empty.
func (e *Engine) recoverState(ctx context.Context) error {
	now := e.now()
	alive := e.keys.script(now)[0]
	if e.pool == nil {
		return e.rdb.SetNX(ctx, alive, now.UnixMilli(), 0).Err()
	}
	for {
		got, err := e.rdb.SetNX(ctx, e.keys.rebuildLock(), "1", time.Minute).Result()
		if err != nil {
			return scriptError(err)
		}
		if got {
			err := e.rebuild(ctx)
			e.rdb.Del(context.WithoutCancel(ctx), e.keys.rebuildLock(), e.keys.rebuildGen(), e.keys.rebuildAcks())
			return err
		}
		if err := e.answerLoss(ctx); err != nil {
			return err
		}
		n, err := e.rdb.Exists(ctx, alive).Result()
		if err != nil {
			return scriptError(err)
		}
		if n == 1 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// rebuild reads the live interactions and present agents from Postgres and
// writes them to Redis: queues in their order, offers with their expiries,
// agents with the load they carry.
func (e *Engine) rebuild(ctx context.Context) error {
	start := time.Now()
	if n, err := e.rdb.Exists(ctx, e.keys.script(e.now())[0]).Result(); err != nil || n == 1 {
		return err // another process finished a rebuild meanwhile
	}
	// Decisions made just before the loss may still be on their way to
	// Postgres, from this process or another: the rebuild waits until every
	// running engine has written its records (see nodes.go), or it would
	// restore an older state than Postgres will hold, e.g. bring back a
	// call whose caller hung up long ago. An engine that does not run
	// (a tool's) is not known to the others: RebuildSettle gives its
	// records time to land.
	settled := time.After(e.cfg.RebuildSettle)
	if !e.sawState.Load() {
		settled = nil
	}
	if e.pool != nil {
		gen, err := e.nameLoss(ctx)
		if err != nil {
			return fmt.Errorf("routing: rebuild: %w", err)
		}
		if err := e.quiet(ctx); err != nil {
			return fmt.Errorf("routing: rebuild: %w", err)
		}
		if err := e.awaitPeers(ctx, gen); err != nil {
			return fmt.Errorf("routing: rebuild: %w", err)
		}
	}
	if settled != nil {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-settled:
		}
	}
	var tasks []wireTask
	var agents []wireAgent
	var floor int64
	err := pgxTx(ctx, e, func(tx pgx.Tx) error {
		var err error
		if tasks, err = liveTasks(ctx, tx); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT GREATEST((SELECT max(routing_seq) FROM interactions),
			(SELECT max(routing_seq) FROM agent_presence), 0)`).Scan(&floor); err != nil {
			return err
		}
		agents, err = e.presentAgents(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("routing: rebuild: %w", err)
	}
	carryLoad(agents, tasks)
	// Whatever is left of the old state goes: no script writes while the
	// sentinel is missing, so nothing newer can be lost. Statistics stay.
	if err := e.clearState(ctx); err != nil {
		return fmt.Errorf("routing: rebuild: %w", scriptError(err))
	}
	if err := e.restore(ctx, agents, tasks, floor); err != nil {
		return fmt.Errorf("routing: rebuild: %w", err)
	}
	e.rebuilds.Add(1)
	e.log.Info("routing: rebuilt Redis from Postgres", "interactions", len(tasks), "agents", len(agents),
		"took", time.Since(start))
	return nil
}

// clearState deletes the routing state but the sentinel and statistics:
// the fixed keys, the free sets the registries list, and the free sets of
// the layout before the index.
func (e *Engine) clearState(ctx context.Context) error {
	all := e.keys.script(e.now())
	del := append(all[1:len(all)-1:len(all)-1], e.keys.key(keyspace.WrapStart))
	del = append(del, e.keys.legacyFree()...)
	for _, ch := range switchboard.Channels {
		groups, err := e.rdb.HKeys(ctx, e.keys.Free(string(ch))).Result()
		if err != nil {
			return err
		}
		for _, g := range groups {
			del = append(del, e.keys.freeGroup(string(ch), g))
		}
	}
	return e.rdb.Del(ctx, del...).Err()
}

func pgxTx(ctx context.Context, e *Engine, fn func(pgx.Tx) error) error {
	tx, err := e.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// liveTasks restores the task of every interaction still being routed: the
// latest queued/transferred/overflowed event holds the task, the latest
// offered/wrapup event its expiry.
func liveTasks(ctx context.Context, tx pgx.Tx) ([]wireTask, error) {
	rows, err := tx.Query(ctx, `SELECT i.id, i.state, COALESCE(i.agent_id, 0), i.ended_at,
		(SELECT data FROM interaction_events ev WHERE ev.interaction_id = i.id
			AND ev.kind IN ('queued', 'transferred', 'overflowed')
			ORDER BY COALESCE((ev.data->>'v')::bigint, 0) DESC, ev.id DESC LIMIT 1),
		(SELECT COALESCE((data->>'x')::bigint, 0) FROM interaction_events ev WHERE ev.interaction_id = i.id
			AND ev.kind IN ('offered', 'wrapup') ORDER BY (ev.data->>'v')::bigint DESC LIMIT 1) -- an extension is a later wrapup
		FROM interactions i WHERE i.state IN ('queued', 'offered', 'connected', 'wrapup')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wireTask
	for rows.Next() {
		var id, agent int64
		var x *int64
		var state string
		var data []byte
		var ended *time.Time
		if err := rows.Scan(&id, &state, &agent, &ended, &data, &x); err != nil {
			return nil, err
		}
		if data == nil {
			continue // created but never enqueued: the channel has not handed it to routing
		}
		var t wireTask
		if err := json.Unmarshal(data, &t); err != nil {
			return nil, fmt.Errorf("interaction %d: task: %w", id, err)
		}
		t.St, t.Ag, t.M, t.X = state, agent, "", 0
		if x != nil && state != "queued" {
			t.X = *x
		}
		if ended != nil && state == "wrapup" {
			t.WS = ended.UnixMilli()
		}
		if t.Sk == nil {
			t.Sk = strList{}
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b wireTask) int { return int(a.A0 - b.A0) })
	return out, rows.Err()
}

// presentAgents restores every agent whose last presence is not offline.
func (e *Engine) presentAgents(ctx context.Context, tx pgx.Tx) ([]wireAgent, error) {
	rows, err := tx.Query(ctx, `SELECT agent_id, state, reason, since FROM agent_presence WHERE state <> 'offline'`)
	if err != nil {
		return nil, err
	}
	type presence struct {
		state, reason string
		since         time.Time
	}
	seen := map[int64]presence{}
	var ids []int64
	for rows.Next() {
		var id int64
		var p presence
		if err := rows.Scan(&id, &p.state, &p.reason, &p.since); err != nil {
			rows.Close()
			return nil, err
		}
		seen[id] = p
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	profiles, err := e.profiles(ctx, tx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]wireAgent, 0, len(profiles))
	for _, p := range profiles {
		w := e.wireProfile(p)
		pr := seen[p.ID]
		w.S, w.Rs, w.Since, w.Idle = pr.state, pr.reason, pr.since.UnixMilli(), pr.since.UnixMilli()
		w.Ld = map[string]int{}
		w.Its = map[string]string{}
		for _, ch := range switchboard.Channels {
			w.Ld[string(ch)] = 0
		}
		out = append(out, w)
	}
	return out, nil
}

// carryLoad gives each agent the load of the interactions it holds.
func carryLoad(agents []wireAgent, tasks []wireTask) {
	byID := map[int64]*wireAgent{}
	for i := range agents {
		byID[agents[i].ID] = &agents[i]
	}
	for _, t := range tasks {
		a := byID[t.Ag]
		if t.St == "queued" || a == nil {
			continue
		}
		a.Ld[t.Ch]++
		a.Its[fmt.Sprint(t.ID)] = t.Ch
		if t.St == "offered" {
			a.Of++
		}
	}
}

// restore writes agents and tasks in batches; the last sets the sentinel.
func (e *Engine) restore(ctx context.Context, agents []wireAgent, tasks []wireTask, floor int64) error {
	const batch = 500
	for i := 0; i < len(agents) || i < len(tasks) || i == 0; i += batch {
		as, ts := window(agents, i, batch), window(tasks, i, batch)
		aj, err := json.Marshal(as)
		if err != nil {
			return err
		}
		tj, err := json.Marshal(ts)
		if err != nil {
			return err
		}
		last := "0"
		if i+batch >= len(agents) && i+batch >= len(tasks) {
			last = "1"
		}
		now := e.now()
		args := []any{now.UnixMilli(), string(aj), string(tj), last, floor}
		if _, err := e.batch.do(ctx, opRestore, e.keys.script(now), args); err != nil {
			return scriptError(err)
		}
	}
	return nil
}

func window[T any](s []T, from, n int) []T {
	if from >= len(s) {
		return []T{}
	}
	return s[from:min(from+n, len(s))]
}
