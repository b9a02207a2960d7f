package agentdesk

import (
	"slices"
	"sync"
	"time"
)

// latencies keeps the last n screen-pop delays (reservation to frame
// queued) for the statistics endpoint and the benchmarks.
type latencies struct {
	mu   sync.Mutex
	ring []time.Duration
	next int
	full bool
	all  int64
}

func newLatencies(n int) *latencies { return &latencies{ring: make([]time.Duration, n)} }

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = d
	l.next = (l.next + 1) % len(l.ring)
	l.full = l.full || l.next == 0
	l.all++
}

// PopStats summarises the recent screen pops.
type PopStats struct {
	Count int64   `json:"count"` // pops since start
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

func (l *latencies) stats() PopStats {
	l.mu.Lock()
	n := l.next
	if l.full {
		n = len(l.ring)
	}
	s := slices.Clone(l.ring[:n])
	all := l.all
	l.mu.Unlock()
	if len(s) == 0 {
		return PopStats{}
	}
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return PopStats{Count: all, P50Ms: ms(at(0.50)), P99Ms: ms(at(0.99)), MaxMs: ms(s[len(s)-1])}
}
