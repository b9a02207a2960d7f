package pgdb_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

func TestMigrateIsIdempotentAndConcurrent(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t) // migrated from empty once already

	// Several servers starting at once apply nothing twice and all succeed.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() { errs[i] = pgdb.Migrate(ctx, pool, slog.New(slog.DiscardHandler)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrate %d: %v", i, err)
		}
	}
	var applied, distinct int
	err := pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct)
	if err != nil {
		t.Fatal(err)
	}
	if applied != distinct {
		t.Fatalf("migrations recorded %d times for %d versions", applied, distinct)
	}
	pending, err := pgdb.Pending(ctx, pool)
	if err != nil || pending {
		t.Fatalf("Pending = %v, %v after migrating; want false, nil", pending, err)
	}
}

func TestInteractionEventsAreAppendOnly(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	var id int64
	err := pgdb.InTx(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO interactions (channel, state) VALUES ('sms', 'queued') RETURNING id`).Scan(&id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO interaction_events (interaction_id, at, kind) VALUES ($1, now(), 'queued')`, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, stmt := range map[string]string{
		"update": `UPDATE interaction_events SET kind = 'x' WHERE interaction_id = $1`,
		"delete": `DELETE FROM interaction_events WHERE interaction_id = $1`,
	} {
		t.Run(name, func(t *testing.T) {
			err := pgdb.InTx(ctx, pool, func(tx pgx.Tx) error { _, err := tx.Exec(ctx, stmt, id); return err })
			if !errors.Is(err, switchboard.ErrConflict) {
				t.Fatalf("%s of an event: err = %v, want ErrConflict", name, err)
			}
		})
	}
}

func TestFormatError(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	tests := map[string]struct {
		stmt string
		want error
	}{
		"unique":      {`INSERT INTO teams (name) VALUES ('a'), ('a')`, switchboard.ErrConflict},
		"foreign key": {`INSERT INTO notes (customer_id, body) VALUES (999999, 'x')`, switchboard.ErrInvalid},
		"check":       {`INSERT INTO customers (name, phone) VALUES ('x', '12345')`, switchboard.ErrInvalid},
		"no rows":     {`SELECT 1 FROM teams WHERE false`, switchboard.ErrNotFound},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := pgdb.InTx(ctx, pool, func(tx pgx.Tx) error {
				var n int
				if err := tx.QueryRow(ctx, tc.stmt).Scan(&n); err != nil {
					return err
				}
				return nil
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			// The caller's message names nothing of the schema (every
			// constraint's name has an underscore).
			if msg := switchboard.ErrorMessage(err); msg == "" || strings.Contains(msg, "_") {
				t.Fatalf("message %q shows the schema", msg)
			}
		})
	}
}
