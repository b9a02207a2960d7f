package agents

import (
	"context"
	"sync/atomic"
	"time"

	"switchboard"
)

// Each password check holds kdfMemory (19 MiB) for its duration, so a burst
// of logins without a bound grows a node by gigabytes. These defaults keep
// it under 80 MiB.
const (
	DefaultHashes   = 4
	DefaultHashWait = 2 * time.Second
)

// hashLimit bounds the password checks running at once in this process.
type hashLimit struct {
	slots chan struct{}
	wait  time.Duration

	running atomic.Int32
	peak    atomic.Int32 // the most that ever ran at once, for tests
}

// LimitHashes lets at most n password checks run at once in this process;
// a login that cannot start one within wait gets ErrUnavailable. Call it
// before the Store is used.
func (s *Store) LimitHashes(n int, wait time.Duration) {
	if n <= 0 {
		n = DefaultHashes
	}
	if wait <= 0 {
		wait = DefaultHashWait
	}
	s.hashes.slots, s.hashes.wait = make(chan struct{}, n), wait
}

// checkPassword is checkPassword within the limit.
func (s *Store) checkPassword(ctx context.Context, hash, pw string) (bool, error) {
	l := &s.hashes
	t := time.NewTimer(l.wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
	case <-t.C:
		return false, &switchboard.Error{Kind: switchboard.ErrUnavailable,
			Message: "too many sign-ins at once; try again in a moment", RetryAfter: time.Second}
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-l.slots }()
	n := l.running.Add(1)
	defer l.running.Add(-1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	return checkPassword(hash, pw), nil
}
