package routing

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"switchboard"
	"switchboard/internal/testenv"
)

// TestRebuildWaitsForPeersRecords: engine B ends a call and its record of
// the hangup is held up in Postgres for longer than RebuildSettle when Redis
// loses its state; engine A rebuilds. A must wait for B's record, or it
// restores the call B ended and routes it again.
func TestRebuildWaitsForPeersRecords(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := testenv.MustOpenDB(t)
	rdb, prefix := testenv.MustRedis(t)
	a := pgEngines(t, ctx, pool, prefix, 1, Config{SweepEvery: 20 * time.Millisecond})[0]
	b := pgEngines(t, ctx, pool, prefix, 1, Config{SweepEvery: time.Hour})[0] // B calls nothing after the loss
	waitFor(t, 10*time.Second, "both engines beating", func() (bool, error) {
		var n int
		err := pool.QueryRow(ctx, `SELECT count(*) FROM routing_nodes`).Scan(&n)
		return n == 2, err
	})
	tasks := seedInteractions(t, pool, 2)
	for _, tk := range tasks {
		must(t, b.Enqueue(ctx, tk))
	}
	ended, kept := tasks[0].InteractionID, tasks[1].InteractionID

	tx, err := pool.Begin(ctx)
	must(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // released below
	_, err = tx.Exec(ctx, `SELECT 1 FROM interactions WHERE id = $1 FOR UPDATE`, ended)
	must(t, err)
	hungUp := make(chan error, 1)
	go func() { hungUp <- b.Cancel(ctx, ended, "hangup") }()
	waitFor(t, 10*time.Second, "the hangup decided in Redis", func() (bool, error) {
		n, err := rdb.HExists(ctx, a.keys.key("task"), fmt.Sprint(ended)).Result()
		return !n, err
	})
	must(t, testenv.DeletePrefix(ctx, rdb, prefix))
	time.Sleep(3 * b.cfg.RebuildSettle) // the record is still held up well past the settle time
	must(t, tx.Rollback(ctx))
	if err := <-hungUp; err != nil && !errors.Is(err, switchboard.ErrUnavailable) {
		t.Fatalf("hangup: %v", err)
	}
	waitFor(t, 40*time.Second, "the rebuild", func() (bool, error) {
		n, err := rdb.Exists(ctx, a.keys.script(time.Now())[0]).Result()
		return n == 1, err
	})
	live, err := rdb.HKeys(ctx, a.keys.key("task")).Result()
	must(t, err)
	if len(live) != 1 || live[0] != fmt.Sprint(kept) {
		t.Fatalf("routing holds %v after the rebuild, want only %d (%d was hung up before the loss)", live, kept, ended)
	}
	var state string
	must(t, pool.QueryRow(ctx, `SELECT state FROM interactions WHERE id = $1`, ended).Scan(&state))
	if state != "abandoned" {
		t.Fatalf("interaction %d is %s in Postgres, want abandoned", ended, state)
	}
}

// waitFor polls cond until it holds or within passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(10 * time.Millisecond) {
		ok, err := cond()
		must(t, err)
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", within, what)
		}
	}
}
