package rounds_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/internal/rounds"
)

// TestRounds adds items from many goroutines while rounds are slow: every
// item is handled exactly once, no round is larger than MaxItems, no more
// than Max run at once, and items arriving together share rounds.
func TestRounds(t *testing.T) {
	tests := map[string]struct {
		max, maxItems, items int
		inline               bool
	}{
		"one at a time, unbounded rounds": {max: 1, items: 500},
		"two at a time, rounds of 16":     {max: 2, maxItems: 16, items: 500},
		"a lone item":                     {max: 4, items: 1},
		"inline, two at a time":           {max: 2, maxItems: 16, items: 500, inline: true},
		"inline, a lone item":             {max: 2, items: 1, inline: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var mu sync.Mutex
			seen := map[int]int{}
			var running, most, calls atomic.Int64
			r := &rounds.Rounds[int]{Max: tc.max, MaxItems: tc.maxItems, Inline: tc.inline}
			r.Do = func(items []int) {
				now := running.Add(1)
				defer running.Add(-1)
				for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
				}
				calls.Add(1)
				if tc.maxItems > 0 && len(items) > tc.maxItems {
					t.Errorf("round of %d items, bound %d", len(items), tc.maxItems)
				}
				time.Sleep(time.Millisecond) // a commit
				mu.Lock()
				for _, i := range items {
					seen[i]++
				}
				mu.Unlock()
			}
			var wg sync.WaitGroup
			for i := range tc.items {
				wg.Add(1)
				go func() { defer wg.Done(); r.Add(i) }()
			}
			wg.Wait()
			r.Wait()
			if len(seen) != tc.items {
				t.Fatalf("%d items handled, want %d", len(seen), tc.items)
			}
			for i, n := range seen {
				if n != 1 {
					t.Fatalf("item %d handled %d times", i, n)
				}
			}
			if most.Load() > int64(tc.max) {
				t.Fatalf("%d rounds at once, bound %d", most.Load(), tc.max)
			}
			if tc.items > 100 && calls.Load() >= int64(tc.items) {
				t.Fatalf("%d rounds for %d items: nothing was grouped", calls.Load(), tc.items)
			}
		})
	}
}

// TestInlineRunsOnTheCaller: with Inline, a lone item is handled before Add
// returns, on the caller's goroutine.
func TestInlineRunsOnTheCaller(t *testing.T) {
	var handled []int
	r := &rounds.Rounds[int]{Max: 2, Inline: true, Do: func(items []int) { handled = append(handled, items...) }}
	r.Add(7)
	if len(handled) != 1 || handled[0] != 7 {
		t.Fatalf("after Add returned, handled %v; want [7]", handled)
	}
	r.Wait()
}
