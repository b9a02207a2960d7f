package webchat

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiters holds one token bucket per key (an IP, a customer), forgetting
// keys idle for longer than idle so the map stays small.
type limiters struct {
	mu    sync.Mutex
	every rate.Limit
	burst int
	m     map[string]*limiter
	idle  time.Duration
}

type limiter struct {
	l    *rate.Limiter
	used time.Time
}

func newLimiters(perMinute float64, burst int) *limiters {
	return &limiters{every: rate.Limit(perMinute / 60), burst: burst, m: map[string]*limiter{}, idle: 10 * time.Minute}
}

// allow spends one token of key's bucket, if there is one.
func (ls *limiters) allow(key string, now time.Time) bool {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l, ok := ls.m[key]
	if !ok {
		l = &limiter{l: rate.NewLimiter(ls.every, ls.burst)}
		ls.m[key] = l
	}
	l.used = now
	return l.l.AllowN(now, 1)
}

// sweep forgets idle keys.
func (ls *limiters) sweep(now time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for k, l := range ls.m {
		if now.Sub(l.used) > ls.idle {
			delete(ls.m, k)
		}
	}
}
