// Package testenv gives tests real Postgres and Redis, isolated per test: a
// fresh, migrated database that is dropped afterwards, and a Redis key prefix
// whose keys are deleted afterwards. A missing service fails the test; it
// never skips, because a test that cannot fail proves nothing.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"switchboard/pgdb"
)

// DatabaseURL is the server tests create their databases on: $DATABASE_URL,
// or the local trust-auth Postgres.
func DatabaseURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// RedisURL is the Redis tests use: $REDIS_URL, or the local one.
func RedisURL() string {
	if u := os.Getenv("REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Unique returns a short random name part, for databases and key prefixes.
func Unique() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// MustCreateDB creates a fresh, migrated database and returns its URL; it is
// dropped when the test ends. Use it when a test starts servers of its own
// that each open a pool.
func MustCreateDB(tb testing.TB) string {
	tb.Helper()
	dbURL := MustCreateEmptyDB(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgdb.Open(ctx, dbURL)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	defer pool.Close()
	if err := pgdb.Migrate(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return dbURL
}

// MustCreateEmptyDB creates a database with no migrations applied, dropped
// when the test ends: for tests of migrating itself.
func MustCreateEmptyDB(tb testing.TB) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		tb.Fatalf("testenv: Postgres is not reachable at %s (make test starts it): %v", DatabaseURL(), err)
	}
	defer admin.Close(ctx)
	name := "sbtest_" + Unique()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("testenv: create database: %v", err)
	}
	tb.Cleanup(func() { dropDB(tb, name) })
	u, err := url.Parse(DatabaseURL())
	if err != nil {
		tb.Fatalf("testenv: DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// MustOpenDB returns a pool on a fresh, migrated database, closed and dropped
// when the test ends.
func MustOpenDB(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	dbURL := MustCreateDB(tb)
	pool, err := pgdb.Open(context.Background(), dbURL)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	tb.Cleanup(pool.Close) // runs before the drop: cleanups run last-in first-out
	return pool
}

func dropDB(tb testing.TB, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		tb.Errorf("testenv: drop %s: %v", name, err)
		return
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		tb.Errorf("testenv: drop %s: %v", name, err)
	}
}

// MustRedis returns a client and a key prefix of the test's own; every key
// under the prefix is deleted when the test ends.
func MustRedis(tb testing.TB) (*redis.Client, string) {
	tb.Helper()
	rdb, err := OpenRedis(RedisURL())
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		tb.Fatalf("testenv: Redis is not reachable at %s (make test starts it): %v", RedisURL(), err)
	}
	prefix := "sbtest:" + Unique() + ":"
	tb.Cleanup(func() {
		DeletePrefix(context.Background(), rdb, prefix)
		rdb.Close()
	})
	return rdb, prefix
}

// OpenRedis makes a client for url with the settings Switchboard uses
// everywhere: no client-identity or maintenance handshakes, which Redis 7.0
// rejects.
func OpenRedis(rawURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(opt), nil
}

// DeletePrefix deletes every key that starts with prefix. Tests use it to
// simulate a Redis that lost its data without touching other runs' keys.
func DeletePrefix(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}
