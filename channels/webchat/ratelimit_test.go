package webchat

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard/internal/testenv"
)

// Two nodes (two limit values, each with its own Redis client) share one
// bucket per key: together they allow exactly the burst, then one request
// per interval, on a virtual clock.
func TestLimitSharedAcrossNodes(t *testing.T) {
	tests := map[string]struct {
		perMinute float64
		burst     int
	}{
		"one a second, burst 5":               {60, 5},
		"messages per IP defaults":            {120, 31},
		"seven a minute: a fractional second": {7, 3},
		"no burst beyond one":                 {30, 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rdb, prefix := testenv.MustRedis(t)
			other, err := testenv.OpenRedis(testenv.RedisURL())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { other.Close() })
			nodes := []*limit{
				newLimit(rdb, prefix, "main", "msg-ip", tc.perMinute, tc.burst, nil),
				newLimit(other, prefix, "main", "msg-ip", tc.perMinute, tc.burst, nil),
			}
			ctx := context.Background()
			allowed := func(at time.Time, tries int) []bool {
				var out []bool
				for i := range tries {
					out = append(out, nodes[i%2].allow(ctx, "203.0.113.7", at))
				}
				return out
			}
			t0 := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
			interval := nodes[0].interval
			if got := allowed(t0, 3*tc.burst+2); count(got) != tc.burst || !prefixTrue(got, tc.burst) {
				t.Fatalf("at once: %v, want the first %d allowed and no more", got, tc.burst)
			}
			if got := allowed(t0.Add(interval-time.Microsecond), 4); count(got) != 0 {
				t.Fatalf("just before one interval passed: %v", got)
			}
			for i := 1; i <= 10; i++ {
				if got := allowed(t0.Add(time.Duration(i)*interval), 4); !prefixTrue(got, 1) || count(got) != 1 {
					t.Fatalf("after %d intervals: %v, want exactly one allowed", i, got)
				}
			}
			key := prefix + "chat:{main}:limit:msg-ip:203.0.113.7"
			ttl, err := rdb.PTTL(ctx, key).Result()
			if err != nil || ttl <= 0 || ttl > time.Duration(tc.burst)*interval+time.Millisecond {
				t.Fatalf("key %s expires in %v (%v), want within %v", key, ttl, err, time.Duration(tc.burst)*interval)
			}
			// Idle long enough, the bucket is full again; another key was
			// never touched.
			later := t0.Add(time.Duration(10+tc.burst) * interval)
			if got := allowed(later, 2*tc.burst+1); count(got) != tc.burst {
				t.Fatalf("after idling: %v, want %d", got, tc.burst)
			}
			if !nodes[1].allow(ctx, "198.51.100.1", t0) {
				t.Fatal("a fresh key is limited by another key's bucket")
			}
		})
	}
}

// Without Redis the limit still holds, per node.
func TestLimitFallsBackWhenRedisIsDown(t *testing.T) {
	down := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DisableIdentity: true})
	t.Cleanup(func() { down.Close() })
	l := newLimit(down, "x:", "main", "conn-ip", 6, 4, nil)
	now := time.Now()
	var got []bool
	for range 6 {
		got = append(got, l.allow(context.Background(), "203.0.113.7", now))
	}
	if count(got) != 4 || !prefixTrue(got, 4) {
		t.Fatalf("with Redis down: %v, want the local burst of 4", got)
	}
	if !strings.HasPrefix(l.keys, "x:chat:{main}:limit:conn-ip:") {
		t.Fatalf("keys %q", l.keys)
	}
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// prefixTrue reports whether the first n are true (and so the rest false,
// given the count).
func prefixTrue(bs []bool, n int) bool {
	for i := 0; i < n && i < len(bs); i++ {
		if !bs[i] {
			return false
		}
	}
	return n <= len(bs)
}

// TestLimitScriptKeys holds ratelimit.lua to the one key allow passes it:
// the bucket, by name.
func TestLimitScriptKeys(t *testing.T) {
	if got := testenv.LuaKeyNames(t, gcraSource); len(got) != 1 || got[0] != "bucket" {
		t.Fatalf("ratelimit.lua names its keys %v, want [bucket]", got)
	}
}
