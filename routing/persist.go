package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"switchboard"
	"switchboard/pgdb"
)

// queuedSQL writes the interaction's 'queued' event, with the task as its
// data (what a rebuild restores), and sets the row to queued, in one
// statement: $1 id, $2 queue, $3 tier, $4 arrival, $5 task JSON. It reads
// the row's state before. The row must exist and must not have ended; a
// retry of an enqueue Redis already routed leaves the row's state alone.
// The row is locked FOR NO KEY UPDATE, as the UPDATE itself would: a plain
// FOR UPDATE would also wait for (and deadlock with) a channel inserting a
// message or event that references the row, which holds a key-share lock
// on it.
const queuedSQL = `WITH cur AS (SELECT id, state FROM interactions WHERE id = $1 FOR NO KEY UPDATE),
	upd AS (UPDATE interactions i SET state = 'queued', queue = $2, tier = $3, agent_id = NULL FROM cur
		WHERE i.id = cur.id AND cur.state NOT IN ('offered', 'connected', 'wrapup', 'done', 'abandoned', 'failed')),
	ins AS (INSERT INTO interaction_events (interaction_id, at, kind, data)
		SELECT cur.id, $4, 'queued', $5 FROM cur WHERE cur.state NOT IN ('done', 'abandoned', 'failed'))
	SELECT state FROM cur`

func (q Queued) args() []any { return []any{q.w.ID, q.w.Q, q.w.T, ms(q.w.A0), q.data} }

// queuedResult is what queuedSQL's answer (the state before) means.
func queuedResult(id int64, state string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return switchboard.Errorf(switchboard.ErrNotFound, "interaction %d not found", id)
	} else if err != nil {
		return pgdb.FormatError(err)
	}
	if switchboard.State(state).Terminal() {
		return switchboard.Errorf(switchboard.ErrConflict, "interaction %d has ended (%s)", id, state)
	}
	return nil
}

// recordQueued writes q's queued record in the next group commit.
func (e *Engine) recordQueued(ctx context.Context, q Queued) error {
	if e.pool == nil {
		return nil
	}
	var state string
	err := e.writes.write(ctx, &pgWrite{lock: q.w.ID, sql: queuedSQL, args: q.args(),
		read: func(row pgx.Row) error { return row.Scan(&state) }})
	return queuedResult(q.w.ID, state, err)
}

// recordQueuedIn writes the queued records of qs in tx, in one round trip.
func recordQueuedIn(ctx context.Context, tx pgx.Tx, qs []Queued) error {
	if len(qs) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, q := range qs {
		b.Queue(queuedSQL, q.args()...)
	}
	res := tx.SendBatch(ctx, b)
	for _, q := range qs {
		var state string
		err := res.QueryRow().Scan(&state)
		if err := queuedResult(q.w.ID, state, err); err != nil {
			res.Close()
			return fmt.Errorf("routing: enqueue %d: %w", q.w.ID, err)
		}
	}
	return res.Close()
}

// persist records the events one operation returned, each in one statement:
// the interaction's row change with its event row, or the agent's presence
// with its history row. The statements go in the next group commit. Redis
// has already decided, so the record is written even if the caller has
// gone, and made again until Postgres has it (a statement made twice
// records its decision once: the row keeps the number of the last decision
// it took, and the history rows are unique by decision). persist waits for
// it up to the group commit's patience, then answers ErrUnavailable.
func (e *Engine) persist(ctx context.Context, evs []wireEvent) error {
	if e.pool == nil || len(evs) == 0 {
		return nil
	}
	ws := make([]*pgWrite, 0, len(evs))
	for _, w := range evs {
		pw, err := eventWrite(w)
		if err != nil {
			return fmt.Errorf("%s %d: %w", w.K, w.I, err)
		}
		if pw != nil {
			ws = append(ws, pw)
		}
	}
	if len(ws) == 0 {
		return nil
	}
	return e.writes.write(context.WithoutCancel(ctx), ws...)
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// rowChange is how each event kind changes the interactions row: $1 is
// the interaction, $2 the decision's number (an older decision than the
// row's last changes nothing), then the parameters args picks.
type rowChange struct {
	set  string
	args func(w wireEvent) []any
}

var (
	argAgent = func(w wireEvent) []any { return []any{nullID(w.A)} }
	argAt    = func(w wireEvent) []any { return []any{ms(w.At)} }
	argQueue = func(w wireEvent) []any { return []any{w.Q} }
	argNone  = func(w wireEvent) []any { return nil }
)

var rowChanges = map[string]rowChange{
	EventOffer:          {`state = 'offered', agent_id = $3`, argAgent},
	EventOfferWithdrawn: {`state = 'queued', agent_id = NULL`, argNone},
	EventAccepted: {`state = 'connected', agent_id = $3, answered_at = $4`,
		func(w wireEvent) []any { return []any{nullID(w.A), ms(w.At)} }},
	// An extended wrap-up ("extended") keeps the time the conversation ended.
	EventWrapUp: {`state = 'wrapup', ended_at = CASE WHEN $4 = 'extended' THEN COALESCE(ended_at, $3) ELSE $3 END`,
		func(w wireEvent) []any { return []any{ms(w.At), w.R} }},
	EventDone: {`state = 'done', ended_at = COALESCE(ended_at, $3),
		end_reason = CASE WHEN end_reason = '' THEN 'completed' ELSE end_reason END`, argAt},
	EventAbandoned: {`state = 'abandoned', agent_id = NULL, ended_at = $3, end_reason = $4`,
		func(w wireEvent) []any { return []any{ms(w.At), w.R} }},
	EventTransferred: {`state = 'queued', agent_id = NULL, queue = $3`, argQueue},
	EventOverflowed:  {`state = 'queued', agent_id = NULL, queue = $3`, argQueue},
}

// eventKind is the interaction_events kind of each event.
var eventKind = map[string]string{EventOffer: "offered"}

// eventWrite is the statement that records one event (one statement, so
// atomic without a transaction of its own), or nil for an event with no
// record of its own.
func eventWrite(w wireEvent) (*pgWrite, error) {
	at := ms(w.At)
	what := fmt.Sprintf("%s %d", w.K, w.I)
	if w.K == EventAgentState {
		return &pgWrite{what: fmt.Sprintf("%s of agent %d", w.K, w.A), lock: -w.A, sql: presenceSQL,
			args: []any{w.A, w.S, w.R, at, w.V}, keep: true}, nil
	}
	rc, ok := rowChanges[w.K]
	if !ok {
		return nil, nil // 'queued' was recorded before Redis heard of it
	}
	data, err := eventData(w)
	if err != nil {
		return nil, err
	}
	kind := w.K
	if k, ok := eventKind[kind]; ok {
		kind = k
	}
	args := append([]any{w.I, w.V}, rc.args(w)...)
	n := len(args)
	sql := fmt.Sprintf(`WITH upd AS (UPDATE interactions SET routing_seq = $2, %s WHERE id = $1 AND routing_seq < $2)
		INSERT INTO interaction_events (interaction_id, at, kind, agent_id, data, routing_seq)
		VALUES ($1, $%d, $%d, $%d, $%d, $2) ON CONFLICT (interaction_id, routing_seq) WHERE routing_seq IS NOT NULL DO NOTHING`,
		rc.set, n+1, n+2, n+3, n+4)
	return &pgWrite{what: what, lock: w.I, sql: sql, args: append(args, at, kind, nullID(w.A), data), keep: true}, nil
}

// eventData is what the event row keeps: the reason, the expiry, the queue,
// and for transfers the whole task, which a rebuild restores.
func eventData(w wireEvent) ([]byte, error) {
	d := map[string]any{}
	if len(w.D) > 0 {
		if err := json.Unmarshal(w.D, &d); err != nil {
			return nil, err
		}
	}
	d["queue"], d["v"] = w.Q, w.V
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

// presenceSQL records an agent's presence and its history row: $1 agent,
// $2 state, $3 reason, $4 since, $5 the decision's number (an older
// decision than the row's last changes only the history; the same
// decision again, nothing).
const presenceSQL = `WITH up AS (INSERT INTO agent_presence (agent_id, state, reason, since, routing_seq)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (agent_id) DO UPDATE SET state = $2, reason = $3, since = $4, routing_seq = $5
		WHERE agent_presence.routing_seq < $5)
		INSERT INTO agent_presence_events (agent_id, at, state, reason, routing_seq) VALUES ($1, $4, $2, $3, $5)
		ON CONFLICT (agent_id, routing_seq) WHERE routing_seq IS NOT NULL DO NOTHING`

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
