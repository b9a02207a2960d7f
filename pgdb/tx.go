package pgdb

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// InTx runs fn in one transaction and commits it if fn returns nil. It is the
// one way a use case writes: the interaction row and its event, the consent
// change and its audit row, commit together or not at all.
func InTx(ctx context.Context, pool *pgxpool.Pool, fn func(pgx.Tx) error) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgdb: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit this is a no-op
	if err := fn(tx); err != nil {
		return FormatError(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgdb: commit: %w", FormatError(err))
	}
	return nil
}
