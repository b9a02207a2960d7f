package routing

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// TestQueuedInCallersTransaction: a channel that writes the queued record
// in its own transaction gets what Enqueue gives, and nothing when that
// transaction rolls back or the interaction is missing or over.
func TestQueuedInCallersTransaction(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, pool := pgEngine(t, clk.Now)
	agents := seedAgents(t, pool, 1)
	must(t, e.Login(ctx, agents[0]))
	tasks := seedInteractions(t, pool, 4)
	_, err := pool.Exec(ctx, `UPDATE interactions SET state = 'done' WHERE id = $1`, tasks[3].InteractionID)
	must(t, err)
	missing := tasks[0]
	missing.InteractionID = 1 << 40
	tests := map[string]struct {
		task     Task
		rollback bool
		want     error // from RecordQueued
		events   int   // queued events stored
	}{
		"committed":   {task: tasks[0], events: 1},
		"rolled back": {task: tasks[1], rollback: true},
		"missing row": {task: missing, want: switchboard.ErrNotFound},
		"ended":       {task: tasks[3], want: switchboard.ErrConflict},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			q, err := e.Prepare(ctx, tc.task)
			must(t, err)
			err = pgdb.InTx(ctx, pool, func(tx pgx.Tx) error {
				if err := e.RecordQueued(ctx, tx, []Queued{q}); err != nil {
					return err
				}
				if tc.rollback {
					return errRollback
				}
				return nil
			})
			if tc.rollback && !errors.Is(err, errRollback) || !tc.rollback && !errors.Is(err, tc.want) {
				t.Fatalf("RecordQueued: %v, want %v", err, tc.want)
			}
			var n int
			must(t, pool.QueryRow(ctx, `SELECT count(*) FROM interaction_events WHERE interaction_id = $1
				AND kind = 'queued' AND (data->>'id')::bigint = $1`, tc.task.InteractionID).Scan(&n))
			if n != tc.events {
				t.Fatalf("%d queued events, want %d", n, tc.events)
			}
		})
	}
	// The committed one routes as Enqueue would: offered to the agent.
	q, err := e.Prepare(ctx, tasks[0])
	must(t, err)
	must(t, e.Route(ctx, q))
	var state string
	var agent int64
	must(t, pool.QueryRow(ctx, `SELECT state, agent_id FROM interactions WHERE id = $1`, tasks[0].InteractionID).Scan(&state, &agent))
	if state != "offered" || agent != agents[0] {
		t.Fatalf("after Route: %s to %d, want offered to %d", state, agent, agents[0])
	}
	if _, err := e.Prepare(ctx, Task{InteractionID: 1, Channel: "fax", Queue: "general", Tier: switchboard.TierMass}); !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("Prepare of a fax: %v, want ErrInvalid", err)
	}
}

var errRollback = errors.New("roll back")
