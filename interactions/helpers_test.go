package interactions_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/interactions"
	"switchboard/internal/testenv"
)

// env is one test's database and a store on it whose clock the test sets.
type env struct {
	t     testing.TB
	ctx   context.Context
	pool  *pgxpool.Pool
	store *interactions.Store
	now   time.Time
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), pool: testenv.MustOpenDB(t),
		now: time.Date(2026, 11, 26, 4, 0, 0, 0, time.UTC)}
	e.store = interactions.NewStore(e.pool, func() time.Time { return e.now })
	return e
}

// inTx runs fn in one of the store's transactions, failing the test on error.
func (e *env) inTx(fn func(tx pgx.Tx, now time.Time) error) {
	e.t.Helper()
	if err := e.store.InTx(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

// create stores in as a channel would and returns it with its id.
func (e *env) create(in switchboard.Interaction) switchboard.Interaction {
	e.t.Helper()
	e.inTx(func(tx pgx.Tx, now time.Time) error { return interactions.Create(e.ctx, tx, now, &in, "", nil) })
	return in
}

// sms stores a queued inbound SMS thread from a number.
func (e *env) sms(from string) int64 {
	e.t.Helper()
	return e.create(switchboard.Interaction{Channel: switchboard.ChannelSMS, Direction: switchboard.Inbound,
		State: switchboard.StateQueued, Queue: "general", From: from, To: "+8610955880"}).ID
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.pool.Exec(e.ctx, sql, args...); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.pool.QueryRow(e.ctx, sql, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func (e *env) agent(username string) int64 {
	e.t.Helper()
	var id int64
	err := e.pool.QueryRow(e.ctx, `INSERT INTO agents (username, name, password_hash, role, tiers)
		VALUES ($1, $1, 'x', 'agent', '{private,vip,standard,mass}') RETURNING id`, username).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) customer(name, phone string, tier switchboard.ValueTier) int64 {
	e.t.Helper()
	var id int64
	err := e.pool.QueryRow(e.ctx, `INSERT INTO customers (name, phone, value_tier) VALUES ($1, $2, $3) RETURNING id`,
		name, phone, tier).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// events lists an interaction's event kinds, oldest first.
func (e *env) events(id int64) []interactions.Kind {
	e.t.Helper()
	rows, err := e.pool.Query(e.ctx, `SELECT kind FROM interaction_events WHERE interaction_id = $1 ORDER BY id`, id)
	if err != nil {
		e.t.Fatal(err)
	}
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[interactions.Kind])
	if err != nil {
		e.t.Fatal(err)
	}
	return kinds
}

func mustLoad(t testing.TB, e *env, id int64) interactions.Live {
	t.Helper()
	l, err := interactions.Load(e.ctx, e.pool, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
