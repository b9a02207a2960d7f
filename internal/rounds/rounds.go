// Package rounds does work in rounds, as group commit does: what arrives
// while a round is under way waits, and the next round takes all of it, so
// one commit (one WAL flush, one round trip) serves many callers under
// load, and a lone item is handled at once.
package rounds

import "sync"

// Rounds hands items to Do in rounds. At most Max rounds run at once, each
// with at most MaxItems items (no bound when 0), oldest first. Do must
// answer each of its items (callers wait for that in their own way); it
// runs on a goroutine of its own.
type Rounds[T any] struct {
	Do       func(items []T)
	Max      int
	MaxItems int

	mu      sync.Mutex
	pending []T
	running int
	idle    *sync.Cond // signalled when the last round ends with nothing pending
}

// Add queues items for the next round, starting one if fewer than Max run.
func (r *Rounds[T]) Add(items ...T) {
	r.mu.Lock()
	r.pending = append(r.pending, items...)
	if r.running < max(r.Max, 1) {
		r.running++
		go r.loop()
	}
	r.mu.Unlock()
}

// loop runs rounds until nothing is pending.
func (r *Rounds[T]) loop() {
	for {
		r.mu.Lock()
		n := len(r.pending)
		if r.MaxItems > 0 {
			n = min(n, r.MaxItems)
		}
		if n == 0 {
			r.running--
			if r.running == 0 && r.idle != nil {
				r.idle.Broadcast()
			}
			r.mu.Unlock()
			return
		}
		round := make([]T, n)
		copy(round, r.pending)
		r.pending = append(r.pending[:0], r.pending[n:]...)
		r.mu.Unlock()
		r.Do(round)
	}
}

// Wait returns once every item added so far has been handed to Do and
// every round has ended.
func (r *Rounds[T]) Wait() {
	r.mu.Lock()
	if r.idle == nil {
		r.idle = sync.NewCond(&r.mu)
	}
	for r.running > 0 || len(r.pending) > 0 {
		r.idle.Wait()
	}
	r.mu.Unlock()
}
