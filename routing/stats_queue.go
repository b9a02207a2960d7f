package routing

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/keyspace"
)

// counters are the per queue and tier metrics the scripts count.
var counters = []string{"off", "ans", "insl", "wait", "ab"}

// Stats returns a row for every known queue and tier: waiting now, longest
// wait, agents able to serve it by state, and the rolling 15 minutes and
// today (UTC). It reads counters kept by the scripts, in a few round trips.
// Errors: ErrUnavailable when Redis is unreachable.
func (e *Engine) Stats(ctx context.Context) ([]QueueStats, error) {
	now := e.now()
	agents, err := e.AgentStates(ctx)
	if err != nil {
		return nil, err
	}
	rows := e.statRows()
	if err := e.fillWaiting(ctx, rows, now); err != nil {
		return nil, fmt.Errorf("routing: stats: %w", err)
	}
	if err := e.fillWindows(ctx, rows, now); err != nil {
		return nil, fmt.Errorf("routing: stats: %w", err)
	}
	for i := range rows {
		e.countAgents(&rows[i], agents)
	}
	return rows, nil
}

func (e *Engine) statRows() []QueueStats {
	e.mu.Lock()
	names := make([]string, 0, len(e.queue))
	for n := range e.queue {
		names = append(names, n)
	}
	e.mu.Unlock()
	slices.Sort(names)
	var rows []QueueStats
	for _, q := range names {
		for _, t := range switchboard.ValueTiers {
			rows = append(rows, QueueStats{Queue: q, Tier: t})
		}
	}
	return rows
}

func (e *Engine) fillWaiting(ctx context.Context, rows []QueueStats, now time.Time) error {
	pipe := e.rdb.Pipeline()
	counts := make([]*redis.IntCmd, len(rows))
	heads := make([]*redis.StringSliceCmd, len(rows))
	for i, r := range rows {
		p := r.Queue + "|" + string(r.Tier) + "|"
		counts[i] = pipe.ZLexCount(ctx, e.keys.key(keyspace.ByQueue), "["+p, "("+p+"\xff")
		heads[i] = pipe.ZRangeByLex(ctx, e.keys.key(keyspace.ByQueue), &redis.ZRangeBy{Min: "[" + p, Max: "(" + p + "\xff", Count: 1})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return scriptError(err)
	}
	for i := range rows {
		rows[i].Waiting = int(counts[i].Val())
		if h := heads[i].Val(); len(h) == 1 {
			parts := strings.Split(h[0], "|")
			if at, err := strconv.ParseInt(parts[len(parts)-2], 10, 64); err == nil {
				rows[i].LongestWait = now.Sub(ms(at))
			}
		}
	}
	return nil
}

// fillWindows reads the day's counters and the last 15 minute buckets
// (which may sit in yesterday's hash).
func (e *Engine) fillWindows(ctx context.Context, rows []QueueStats, now time.Time) error {
	minute := now.UnixMilli() / 60000
	pipe := e.rdb.Pipeline()
	type read struct {
		row, bucket int // bucket -1 is the day
		cmd         *redis.SliceCmd
	}
	var reads []read
	for i, r := range rows {
		f := func(bucket string) []string {
			out := make([]string, len(counters))
			for j, c := range counters {
				out[j] = bucket + "|" + r.Queue + "|" + string(r.Tier) + "|" + c
			}
			return out
		}
		reads = append(reads, read{i, -1, pipe.HMGet(ctx, e.keys.day(now), f("d")...)})
		for m := minute - 14; m <= minute; m++ {
			key := e.keys.day(time.UnixMilli(m * 60000))
			reads = append(reads, read{i, 1, pipe.HMGet(ctx, key, f(strconv.FormatInt(m, 10))...)})
		}
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return scriptError(err)
	}
	sums := make([][2][5]int64, len(rows))
	for _, rd := range reads {
		w := 0
		if rd.bucket >= 0 {
			w = 1
		}
		for j, v := range rd.cmd.Val() {
			if s, ok := v.(string); ok {
				n, _ := strconv.ParseInt(s, 10, 64)
				sums[rd.row][w][j] += n
			}
		}
	}
	for i := range rows {
		rows[i].Today, rows[i].Last15 = window5(sums[i][0]), window5(sums[i][1])
	}
	return nil
}

func window5(c [5]int64) Window {
	w := Window{Offered: c[0], Answered: c[1], AnsweredInSL: c[2], Abandoned: c[4]}
	if w.Answered > 0 {
		w.ASA = time.Duration(c[3]/w.Answered) * time.Millisecond
	}
	if ended := w.Answered + w.Abandoned; ended > 0 {
		w.ServiceLevel = float64(w.AnsweredInSL) / float64(ended)
		w.AbandonRate = float64(w.Abandoned) / float64(ended)
	}
	return w
}

func (e *Engine) countAgents(r *QueueStats, agents []AgentStatus) {
	e.mu.Lock()
	q := e.queue[r.Queue]
	e.mu.Unlock()
	for _, a := range agents {
		if a.tiers&(1<<r.Tier.Rank()) == 0 || !hasAll(a.skills, q.Skills) {
			continue
		}
		switch {
		case a.Busy():
			r.AgentsBusy++
		case a.WrappingUp():
			r.AgentsWrapUp++
		case a.State == AgentAvailable:
			r.AgentsAvailable++
		}
	}
}

func hasAll(set map[string]bool, need []string) bool {
	for _, s := range need {
		if !set[s] {
			return false
		}
	}
	return true
}
