package webchat

import (
	"context"
	_ "embed"
	"errors"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"switchboard/internal/keyspace"
)

//go:embed ratelimit.lua
var gcraSource string

var gcra = redis.NewScript(gcraSource)

// redisWait bounds one limit check, so a slow Redis delays a customer's
// message by at most this much before the local fallback decides; after a
// failure the limits stay local for redisPause before Redis is tried
// again, so an outage does not slow every message.
const (
	redisWait  = 250 * time.Millisecond
	redisPause = 5 * time.Second
)

// limit is one rate limit (connections per IP, messages per customer…)
// shared by every server process: each key's bucket is a GCRA state in
// Redis, checked and spent by one script, so N nodes together allow what
// one would. A bucket's key is keyspace.ChatLimit(name) + the client's
// key, in the contact centre's hash slot; it expires once the bucket is
// full.
type limit struct {
	rdb      redis.UniversalClient
	keys     string
	interval time.Duration
	burst    int
	local    *limiters
	log      *slog.Logger
	paused   atomic.Int64 // unix ms until which Redis is not tried
	warned   atomic.Int64 // unix seconds of the last Redis warning
}

func newLimit(rdb redis.UniversalClient, prefix, centre, name string, perMinute float64, burst int, log *slog.Logger) *limit {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &limit{rdb: rdb, keys: keyspace.New(prefix, centre).ChatLimit(name),
		interval: time.Duration(math.Round(float64(time.Minute) / perMinute)), burst: burst,
		local: newLimiters(perMinute, burst), log: log}
}

// allow spends one request of key's bucket at now, if there is one.
//
// When Redis cannot answer, the check falls back to this process's own
// bucket for the key: the limit then holds per node (N nodes allow N times
// as much) rather than failing open or closed. Refusing every chat while
// Redis is down would cut customers off from the bank over a protection
// against abuse; letting everything through would leave a flood
// unchecked. The fallback is logged, at most once a minute.
func (l *limit) allow(ctx context.Context, key string, now time.Time) bool {
	wall := time.Now()
	if wall.UnixMilli() < l.paused.Load() {
		return l.local.allow(key, now)
	}
	ctx, cancel := context.WithTimeout(ctx, redisWait)
	defer cancel()
	ok, err := gcra.Run(ctx, l.rdb, []string{l.keys + key}, now.UnixMicro(), l.interval.Microseconds(), l.burst).Bool()
	if err == nil {
		return ok
	}
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), context.Canceled) {
		return false // the client left; nothing to decide
	}
	l.paused.Store(wall.Add(redisPause).UnixMilli())
	if last := l.warned.Load(); wall.Unix()-last >= 60 && l.warned.CompareAndSwap(last, wall.Unix()) {
		l.log.Warn("chat: rate limits fall back to this node's count: Redis did not answer", "limit", l.keys, "err", err)
	}
	return l.local.allow(key, now)
}

// limiters holds one token bucket per key in this process, the fallback
// while Redis is unreachable; keys idle for longer than idle are forgotten
// so the map stays small.
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
