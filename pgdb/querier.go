package pgdb

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Querier is a pool or a transaction, for reads: what a package's read
// functions take so that a caller may run them inside its own transaction
// or on the pool.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}
