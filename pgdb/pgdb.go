// Package pgdb opens the Postgres pool every part of Switchboard shares,
// applies the embedded migrations and the functions packages define at
// start-up, and turns Postgres failures into the domain's error kinds in
// one place.
package pgdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"switchboard"
	"switchboard/migrations"
)

// defaultMaxConns is the pool size unless DATABASE_URL sets pool_max_conns.
const defaultMaxConns = 16

// Open connects a pool to url and checks that the server answers. Queries are
// traced through OpenTelemetry without their parameters, which hold customer
// data.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgdb: parse DATABASE_URL: %w", err)
	}
	cfg.ConnConfig.Tracer = otelpgx.NewTracer(otelpgx.WithDisableSQLStatementInAttributes())
	// pgx's default (four connections on a small machine) queues webhook
	// writes, routing records and screen pops behind each other; a contact
	// centre node needs more in flight. pool_max_conns in the URL still wins.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgdb: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgdb: connect to %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	// Pool metrics go to the global meter provider: a no-op unless
	// telemetry is configured.
	if err := otelpgx.RecordStats(pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgdb: pool metrics: %w", err)
	}
	return pool, nil
}

// Migrate applies every pending migration, each in its own transaction. A
// Postgres advisory lock makes concurrent calls from several servers apply
// each migration exactly once; the others wait and then find nothing to do.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	p, err := provider(pool, log)
	if err != nil {
		return err
	}
	defer p.Close()
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("pgdb: migrate: %w", err)
	}
	for _, r := range results {
		log.Info("migration applied", "version", r.Source.Version, "file", r.Source.Path, "took", r.Duration)
	}
	return nil
}

// Pending reports whether migrations remain to be applied; /readyz uses it.
func Pending(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	p, err := provider(pool, slog.New(slog.DiscardHandler))
	if err != nil {
		return false, err
	}
	defer p.Close()
	has, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("pgdb: check migrations: %w", err)
	}
	return has, nil
}

func provider(pool *pgxpool.Pool, log *slog.Logger) (*goose.Provider, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("pgdb: migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(pool), migrations.FS,
		goose.WithSessionLocker(locker), goose.WithSlog(log), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("pgdb: migrations: %w", err)
	}
	return p, nil
}

// FormatError translates Postgres constraint violations into the domain's
// error kinds, so callers and transports never parse SQLSTATEs. Other errors
// pass through unchanged.
func FormatError(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: %w", switchboard.ErrNotFound, err)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	// The messages name no constraint, column or table: those describe the
	// schema to whoever sends bad input. The Postgres error stays wrapped,
	// for the logs.
	var e *switchboard.Error
	switch pe.Code {
	case "23505": // unique_violation
		e = &switchboard.Error{Kind: switchboard.ErrConflict, Message: "already exists"}
	case "23503": // foreign_key_violation
		e = &switchboard.Error{Kind: switchboard.ErrInvalid, Message: "refers to something that does not exist"}
	case "23514", "23502", "22P02", "22001", "22003", "22007", "22008": // check, not null, bad text repr, too long, out of range, datetime
		e = &switchboard.Error{Kind: switchboard.ErrInvalid, Message: "a value is missing, too long or not allowed"}
	case "22021", "22P05": // character_not_in_repertoire (a NUL, bad UTF-8), untranslatable_character
		e = &switchboard.Error{Kind: switchboard.ErrInvalid, Message: "text holds a NUL or characters that are not UTF-8"}
	case "23001": // restrict_violation: an append-only table
		e = &switchboard.Error{Kind: switchboard.ErrConflict, Message: "history cannot be changed"}
	default:
		return err
	}
	return fmt.Errorf("%w: %w", e, err)
}

// Migration is one migration file and whether the database has it.
type Migration struct {
	Version   int64
	File      string
	AppliedAt time.Time // zero while pending
}

// Status lists every migration the code knows, oldest first, with when each
// was applied; "switchboardctl migrate status" prints it.
func Status(ctx context.Context, pool *pgxpool.Pool) ([]Migration, error) {
	p, err := provider(pool, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer p.Close()
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("pgdb: migration status: %w", err)
	}
	out := make([]Migration, len(st))
	for i, s := range st {
		out[i] = Migration{Version: s.Source.Version, File: filepath.Base(s.Source.Path)}
		if s.State == goose.StateApplied {
			out[i].AppliedAt = s.AppliedAt
		}
	}
	return out, nil
}
