package agents

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"switchboard"
	"switchboard/internal/testenv"
)

// TestConcurrentLoginsHashWithinTheLimit starts 32 logins at once: no more
// than the limit ever hash at the same time, and every one still succeeds.
// With no time to wait, the excess is told to come back, not queued.
func TestConcurrentLoginsHashWithinTheLimit(t *testing.T) {
	ctx := context.Background()
	s := NewStore(testenv.MustOpenDB(t), time.Hour, time.Now)
	const users, limit = 32, 3
	for i := range users {
		if _, err := s.Create(ctx, NewAgent{Username: fmt.Sprintf("user%02d", i), Name: "U", Password: "password-x", Role: switchboard.RoleAgent}); err != nil {
			t.Fatal(err)
		}
	}
	run := func() []error {
		errs := make([]error, users)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range users {
			wg.Go(func() {
				<-start
				_, errs[i] = s.Login(ctx, fmt.Sprintf("user%02d", i), "password-x")
			})
		}
		close(start)
		wg.Wait()
		return errs
	}

	s.LimitHashes(limit, time.Minute)
	for i, err := range run() {
		if err != nil {
			t.Fatalf("login %d: %v", i, err)
		}
	}
	if peak := s.hashes.peak.Load(); peak > limit || peak < 2 {
		t.Fatalf("%d hashes ran at once, want at most %d (and some in parallel)", peak, limit)
	}

	s.LimitHashes(1, time.Millisecond)
	busy := 0
	for _, err := range run() {
		if errors.Is(err, switchboard.ErrUnavailable) && switchboard.RetryAfter(err) > 0 {
			busy++
		} else if err != nil {
			t.Fatalf("login: %v", err)
		}
	}
	if busy == 0 {
		t.Fatal("with one slot and no wait, all 32 logins hashed")
	}
	t.Logf("%d of %d told to come back", busy, users)
}
