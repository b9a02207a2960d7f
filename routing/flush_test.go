package routing

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"switchboard/internal/keyspace"
	"switchboard/internal/testenv"
)

// TestRedisFlush deletes every routing key in the middle of a run, as a
// Redis restart without persistence would. The engines notice the missing
// sentinel, one rebuilds from Postgres, and the run goes on: every
// interaction still ends (done or abandoned), none is held by two agents on
// any snapshot, none is answered twice.
func TestRedisFlush(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newCrowd(t, ctx, 3, 10)
	tasks := seedInteractions(t, c.pool, 240)
	var wg, cw sync.WaitGroup
	c.listen()
	i := 0
	for id := range c.inbox {
		wg.Add(1)
		i++
		go c.agent(&wg, id, uint64(i))
	}
	checkCtx, stopCheck := context.WithCancel(ctx)
	cw.Add(1)
	go c.checker(&cw, checkCtx)
	flushed := make(chan error, 1)
	go func() {
		// Flush in the thick of it: as soon as interactions are being
		// routed (how soon depends on the machine's load, not on a timer).
		var live int64
		var err error
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if live, err = c.rdb.HLen(ctx, c.engines[0].keys.key(keyspace.Task)).Result(); err != nil || live >= 5 {
				break
			}
		}
		if err == nil && live == 0 {
			err = fmt.Errorf("nothing was being routed when Redis was flushed")
		}
		if err == nil {
			t.Logf("flushing Redis with %d interactions in routing", live)
			err = testenv.DeletePrefix(ctx, c.rdb, c.prefix)
		}
		flushed <- err
	}()
	c.callers(tasks, 6)
	must(t, <-flushed)
	c.waitEnded(len(tasks), 30*time.Second)
	stopCheck()
	cw.Wait()
	cancel()
	wg.Wait()
	t.Logf("%d snapshots checked", c.checks.Load())
	checkHistory(t, c.pool)
	var rebuilds int64
	for _, e := range c.engines {
		rebuilds += e.rebuilds.Load()
	}
	// The first start is one rebuild (from an empty history); the flush
	// must cause at least one more.
	if rebuilds < 2 {
		t.Fatalf("%d rebuilds, want the start and one after the flush", rebuilds)
	}
}
