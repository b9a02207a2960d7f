package routing

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"switchboard"
	"switchboard/internal/testenv"
)

// TestGroupCommit hands writes to one group commit at once, as concurrent
// calls do, and checks that each caller gets its own answer: the rows that
// exist are recorded, a missing interaction is reported as missing, and a
// write Postgres refuses fails alone without taking the group with it.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	agents := seedAgents(t, pool, 1)
	tasks := seedInteractions(t, pool, 3)
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC).UnixMilli()
	offer := func(id int64, v int64) *pgWrite {
		w, err := eventWrite(wireEvent{K: EventOffer, I: id, A: agents[0], Q: "general", At: at, V: v, X: at + 15000})
		must(t, err)
		return w
	}
	presence := func(agent int64) *pgWrite {
		w, err := eventWrite(wireEvent{K: EventAgentState, A: agent, S: "available", At: at, V: 1})
		must(t, err)
		return w
	}
	for name, tc := range map[string]struct {
		writes  []*pgWrite
		refused []bool // which writes fail
	}{
		"all good": {
			writes:  []*pgWrite{offer(tasks[0].InteractionID, 10), presence(agents[0]), offer(tasks[1].InteractionID, 11)},
			refused: []bool{false, false, false},
		},
		"one refused": {
			// No agent 999999: the presence row breaks its foreign key.
			writes:  []*pgWrite{offer(tasks[2].InteractionID, 12), presence(999999), offer(tasks[0].InteractionID, 13)},
			refused: []bool{false, true, false},
		},
	} {
		t.Run(name, func(t *testing.T) {
			g := newGroupCommit(pool)
			err := g.write(ctx, tc.writes...)
			g.wait()
			var pe *pgconn.PgError
			if want := tc.refused[1]; want != errors.As(err, &pe) {
				t.Fatalf("group error %v, want refused %v", err, want)
			}
			for i, w := range tc.writes {
				if (w.err != nil) != tc.refused[i] {
					t.Errorf("write %d (%s): err %v, want refused %v", i, w.what, w.err, tc.refused[i])
				}
			}
		})
	}
	var offered int
	must(t, pool.QueryRow(ctx, `SELECT count(*) FROM interaction_events WHERE kind = 'offered'`).Scan(&offered))
	if offered != 4 {
		t.Fatalf("%d offered events recorded, want 4", offered)
	}
	var state string
	must(t, pool.QueryRow(ctx, `SELECT state FROM interactions WHERE id = $1`, tasks[2].InteractionID).Scan(&state))
	if state != string(switchboard.StateOffered) {
		t.Fatalf("interaction %d is %s, want offered", tasks[2].InteractionID, state)
	}
}

// TestEnqueueMissingInGroup enqueues, at once, interactions that exist and
// one that does not: the missing one is refused as not found, and the
// others are queued.
func TestEnqueueMissingInGroup(t *testing.T) {
	ctx := context.Background()
	e, pool := pgEngine(t, time.Now)
	tasks := seedInteractions(t, pool, 4)
	tasks = append(tasks, Task{InteractionID: 1 << 40, Channel: switchboard.ChannelSMS, Queue: "general",
		Tier: switchboard.TierMass})
	errs := make(chan error, len(tasks))
	for _, tk := range tasks {
		go func() { errs <- e.Enqueue(ctx, tk) }()
	}
	var missing int
	for range tasks {
		if err := <-errs; errors.Is(err, switchboard.ErrNotFound) {
			missing++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if missing != 1 {
		t.Fatalf("%d enqueues refused as not found, want 1", missing)
	}
	var queued int
	must(t, pool.QueryRow(ctx, `SELECT count(*) FROM interaction_events WHERE kind = 'queued'`).Scan(&queued))
	if queued != 4 {
		t.Fatalf("%d queued events, want 4", queued)
	}
}
