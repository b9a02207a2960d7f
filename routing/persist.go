package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// recordQueued writes the interaction's 'queued' event, with the task as its
// data (what a rebuild restores), and sets the row to queued. The row must
// exist and must not have ended.
func (e *Engine) recordQueued(ctx context.Context, w wireTask, data []byte) error {
	if e.pool == nil {
		return nil
	}
	return pgdb.InTx(ctx, e.pool, func(tx pgx.Tx) error {
		var state string
		err := tx.QueryRow(ctx, `SELECT state FROM interactions WHERE id = $1 FOR UPDATE`, w.ID).Scan(&state)
		if err == pgx.ErrNoRows {
			return switchboard.Errorf(switchboard.ErrNotFound, "interaction %d not found", w.ID)
		} else if err != nil {
			return err
		}
		if switchboard.State(state).Terminal() {
			return switchboard.Errorf(switchboard.ErrConflict, "interaction %d has ended (%s)", w.ID, state)
		}
		if _, err := tx.Exec(ctx, `UPDATE interactions SET state = 'queued', queue = $2, tier = $3, agent_id = NULL
			WHERE id = $1`, w.ID, w.Q, w.T); err != nil {
			return err
		}
		return insertEvent(ctx, tx, w.ID, ms(w.A0), "queued", 0, data)
	})
}

// persist records the events one script returned, in one transaction: each
// interaction's row change with its event, each agent's presence with its
// history row.
func (e *Engine) persist(ctx context.Context, evs []wireEvent) error {
	if e.pool == nil || len(evs) == 0 {
		return nil
	}
	return pgdb.InTx(ctx, e.pool, func(tx pgx.Tx) error {
		for _, w := range evs {
			if err := persistOne(ctx, tx, w); err != nil {
				return fmt.Errorf("%s %d: %w", w.K, w.I, err)
			}
		}
		return nil
	})
}

// rowChange is how each event kind changes the interactions row.
var rowChange = map[string]string{
	EventOffer:          `UPDATE interactions SET state = 'offered', agent_id = $2 WHERE id = $1`,
	EventOfferWithdrawn: `UPDATE interactions SET state = 'queued', agent_id = NULL WHERE id = $1 AND state = 'offered'`,
	EventAccepted:       `UPDATE interactions SET state = 'connected', agent_id = $2, answered_at = $3 WHERE id = $1`,
	EventWrapUp:         `UPDATE interactions SET state = 'wrapup', ended_at = $3 WHERE id = $1`,
	EventDone: `UPDATE interactions SET state = 'done', ended_at = COALESCE(ended_at, $3),
		end_reason = CASE WHEN end_reason = '' THEN 'completed' ELSE end_reason END WHERE id = $1`,
	EventAbandoned: `UPDATE interactions SET state = 'abandoned', agent_id = NULL, ended_at = $3, end_reason = $4
		WHERE id = $1`,
	EventTransferred: `UPDATE interactions SET state = 'queued', agent_id = NULL, queue = $4 WHERE id = $1`,
	EventOverflowed:  `UPDATE interactions SET state = 'queued', agent_id = NULL, queue = $4 WHERE id = $1`,
}

// eventKind is the interaction_events kind of each event.
var eventKind = map[string]string{EventOffer: "offered"}

func persistOne(ctx context.Context, tx pgx.Tx, w wireEvent) error {
	at := ms(w.At)
	if w.K == EventAgentState {
		return recordPresence(ctx, tx, w.A, w.S, w.R, at)
	}
	q, ok := rowChange[w.K]
	if !ok {
		return nil // 'queued' was recorded before Redis heard of it
	}
	arg4 := w.R
	if w.K == EventTransferred || w.K == EventOverflowed {
		arg4 = w.Q
	}
	if _, err := tx.Exec(ctx, q, w.I, nullID(w.A), at, arg4); err != nil {
		return err
	}
	data, err := eventData(w)
	if err != nil {
		return err
	}
	kind := w.K
	if k, ok := eventKind[kind]; ok {
		kind = k
	}
	return insertEvent(ctx, tx, w.I, at, kind, w.A, data)
}

// eventData is what the event row keeps: the reason, the expiry, the queue,
// and for transfers the whole task, which a rebuild restores.
func eventData(w wireEvent) ([]byte, error) {
	if len(w.D) > 0 {
		return w.D, nil
	}
	d := map[string]any{"queue": w.Q}
	if w.R != "" {
		d["reason"] = w.R
	}
	if w.X != 0 {
		d["x"] = w.X
	}
	return json.Marshal(d)
}

func insertEvent(ctx context.Context, tx pgx.Tx, id int64, at time.Time, kind string, agent int64, data []byte) error {
	_, err := tx.Exec(ctx, `INSERT INTO interaction_events (interaction_id, at, kind, agent_id, data)
		VALUES ($1, $2, $3, $4, $5)`, id, at, kind, nullID(agent), data)
	return err
}

func recordPresence(ctx context.Context, tx pgx.Tx, agent int64, state, reason string, at time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO agent_presence (agent_id, state, reason, since) VALUES ($1, $2, $3, $4)
		ON CONFLICT (agent_id) DO UPDATE SET state = $2, reason = $3, since = $4`, agent, state, reason, at); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO agent_presence_events (agent_id, at, state, reason) VALUES ($1, $2, $3, $4)`,
		agent, at, state, reason)
	return err
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// loadQueues reads the queues table; Config.Queues override rows by name.
func (e *Engine) loadQueues(ctx context.Context) error {
	rows, err := e.pool.Query(ctx, `SELECT name, skills, sl_threshold_s, COALESCE(overflow_queue, ''),
		COALESCE(overflow_after_s, 0) FROM queues`)
	if err != nil {
		return fmt.Errorf("load queues: %w", err)
	}
	defer rows.Close()
	found := map[string]Queue{}
	for rows.Next() {
		var q Queue
		var sl, after int
		if err := rows.Scan(&q.Name, &q.Skills, &sl, &q.Overflow, &after); err != nil {
			return fmt.Errorf("load queues: %w", err)
		}
		q.SLThreshold, q.OverflowAfter = time.Duration(sl)*time.Second, time.Duration(after)*time.Second
		found[q.Name] = q
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load queues: %w", err)
	}
	for _, q := range e.cfg.Queues {
		found[q.Name] = q
	}
	e.mu.Lock()
	e.queue = found
	e.mu.Unlock()
	return nil
}
