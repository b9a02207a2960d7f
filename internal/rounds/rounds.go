// Package rounds does work in rounds, as group commit does: what arrives
// while a round is under way waits, and the next round takes all of it, so
// one commit (one WAL flush, one round trip) serves many callers under
// load, and a lone item is handled at once.
package rounds

import "sync"

// Rounds hands items to Do in rounds. At most Max rounds run at once, each
// with at most MaxItems items (no bound when 0), oldest first. Do must
// answer each of its items (callers wait for that in their own way). It
// runs on a goroutine of its own, or with Inline, a round that Add starts
// runs on Add's caller: one item at a time then costs no hand-off to
// another goroutine and back.
type Rounds[T any] struct {
	Do       func(items []T)
	Max      int
	MaxItems int
	Inline   bool

	mu      sync.Mutex
	pending []T
	running int
	idle    *sync.Cond // signalled when the last round ends with nothing pending
}

// Add queues items for the next round, starting one if fewer than Max run.
func (r *Rounds[T]) Add(items ...T) {
	r.mu.Lock()
	r.pending = append(r.pending, items...)
	if r.running >= max(r.Max, 1) {
		r.mu.Unlock()
		return
	}
	r.running++
	if !r.Inline {
		r.mu.Unlock()
		go r.loop()
		return
	}
	round := r.take()
	r.mu.Unlock()
	if round == nil {
		return
	}
	r.Do(round)
	if round := r.next(); round != nil { // what arrived meanwhile
		go func() {
			r.Do(round)
			r.loop()
		}()
	}
}

// loop runs rounds until nothing is pending.
func (r *Rounds[T]) loop() {
	for round := r.next(); round != nil; round = r.next() {
		r.Do(round)
	}
}

// next takes the next round; with nothing pending, the runner ends.
func (r *Rounds[T]) next() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.take()
}

func (r *Rounds[T]) take() []T {
	n := len(r.pending)
	if r.MaxItems > 0 {
		n = min(n, r.MaxItems)
	}
	if n == 0 {
		r.running--
		if r.running == 0 && r.idle != nil {
			r.idle.Broadcast()
		}
		return nil
	}
	round := make([]T, n)
	copy(round, r.pending)
	r.pending = append(r.pending[:0], r.pending[n:]...)
	return round
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
