package pgdb

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Define runs sql, the CREATE OR REPLACE statements of Postgres functions a
// package keeps next to its Go code, in one transaction. Packages call it
// at start-up, after Migrate: the functions then always match the code that
// calls them, and a change to one is a change to a file, not a migration.
//
// Several nodes starting at once would replace the same catalog rows
// together, and all but one fail with "tuple concurrently updated"; an
// advisory lock held to the end of the transaction makes them take turns.
// Its two-key form keeps it apart from the one-key locks of the
// application (and of goose). sql may hold several statements.
func Define(ctx context.Context, pool *pgxpool.Pool, sql string) error {
	return InTx(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('switchboard'), hashtext('define'))`); err != nil {
			return fmt.Errorf("pgdb: define: lock: %w", err)
		}
		if _, err := tx.Exec(ctx, sql); err != nil {
			return fmt.Errorf("pgdb: define: %w", err)
		}
		return nil
	})
}
