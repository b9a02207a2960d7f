package fanout

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard/internal/testenv"
)

func lines(payload string) []string { return strings.Split(payload, "\n") }

func numSub(t *testing.T, rdb *redis.Client, channel string) int64 {
	t.Helper()
	n, err := rdb.PubSubNumSub(context.Background(), channel).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n[channel]
}

// waitNumSub waits for Redis to count want subscribers of channel: an
// unsubscribe is seen by Redis a moment after Close returns.
func waitNumSub(t *testing.T, rdb *redis.Client, channel string, want int64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); numSub(t, rdb, channel) != want; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers of %s, want %d", numSub(t, rdb, channel), channel, want)
		}
	}
}

func receive(t *testing.T, ch <-chan string, n int) []string {
	t.Helper()
	var got []string
	timeout := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case s, ok := <-ch:
			if !ok {
				t.Fatalf("closed after %v", got)
			}
			got = append(got, s)
		case <-timeout:
			t.Fatalf("got %v, want %d items", got, n)
		}
	}
	return got
}

// TestShared holds consumers to one Redis subscription that gives each of
// them every item, in order, and ends when the last one leaves.
func TestShared(t *testing.T) {
	rdb, prefix := testenv.MustRedis(t)
	ctx := context.Background()
	h := New(rdb, prefix+"events", 16, lines, nil)
	ctxA, stopA := context.WithCancel(ctx)
	a, err := h.Subscribe(ctxA)
	if err != nil {
		t.Fatal(err)
	}
	ctxB, stopB := context.WithCancel(ctx)
	b, err := h.Subscribe(ctxB)
	if err != nil {
		t.Fatal(err)
	}
	if n := numSub(t, rdb, h.Channel()); n != 1 {
		t.Fatalf("%d Redis subscriptions for two consumers, want 1", n)
	}
	for _, p := range []string{"1\n2", "3"} {
		if err := rdb.Publish(ctx, h.Channel(), p).Err(); err != nil {
			t.Fatal(err)
		}
	}
	for name, ch := range map[string]<-chan string{"a": a, "b": b} {
		if got := strings.Join(receive(t, ch, 3), ","); got != "1,2,3" {
			t.Errorf("%s got %s, want 1,2,3", name, got)
		}
	}
	stopA()
	if _, ok := <-a; ok {
		t.Fatal("a consumer's channel stays open after its context ended")
	}
	if n := numSub(t, rdb, h.Channel()); n != 1 {
		t.Fatalf("%d subscriptions while b is still subscribed", n)
	}
	stopB()
	waitNumSub(t, rdb, h.Channel(), 0)

	// A consumer after the last one left subscribes again.
	c, err := h.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.Publish(ctx, h.Channel(), "4").Err(); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, c, 1); got[0] != "4" {
		t.Fatalf("after resubscribing: %v", got)
	}
}

// TestSlowConsumer holds the rule for a consumer that does not keep up: it
// loses what overflows its own queue, and the others get everything
// without waiting for it.
func TestSlowConsumer(t *testing.T) {
	rdb, prefix := testenv.MustRedis(t)
	ctx := t.Context()
	const queue = 1000
	h := New(rdb, prefix+"events", queue, lines, nil)
	slow, err := h.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := h.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Far more than the slow one's queue and channel hold, in steps the
	// fast one reads before the next: it is never far behind.
	const n, step = 3000, 50
	for i := 0; i < n; i += step {
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for j := i; j < i+step; j++ {
				p.Publish(ctx, h.Channel(), strconv.Itoa(j))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for j, s := range receive(t, fast, step) {
			if s != strconv.Itoa(i+j) {
				t.Fatalf("the fast consumer's item %d is %s", i+j, s)
			}
		}
	}
	// The slow one kept, in order, what its queue, its channel and the
	// hands between them hold (at most), and lost the rest.
	kept := 0
	for more := true; more; {
		select {
		case s := <-slow:
			if s != strconv.Itoa(kept) {
				t.Fatalf("the slow consumer's item %d is %s", kept, s)
			}
			kept++
		case <-time.After(200 * time.Millisecond):
			more = false
		}
	}
	if kept < queue || kept > out+queue+1 {
		t.Fatalf("the slow consumer kept %d items, want %d to %d", kept, queue, out+queue+1)
	}
}
