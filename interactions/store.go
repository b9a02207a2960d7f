package interactions

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard/pgdb"
)

// Store runs the transactions that write interactions, with "now" fixed
// once per transaction. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewStore returns a Store on pool. now is the clock; nil means time.Now.
func NewStore(pool *pgxpool.Pool, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{pool: pool, now: now}
}

// Pool is the pool the store writes to, for reads outside a transaction.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Now is the store's clock, in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// InTx runs fn in one transaction (pgdb.InTx) with "now" fixed for it.
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx, now time.Time) error) error {
	now := s.Now()
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error { return fn(tx, now) })
}

// Execer is a pool or a transaction, for a single statement.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}
