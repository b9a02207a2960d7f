package routing

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/testenv"
)

// TestExtendWrapUp: the agent extends wrap-up within Config.WrapUpMax from
// its start; every desk hears the new end; the extension survives a
// rebuild, and the agent is freed when it runs out.
func TestExtendWrapUp(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, pool := pgEngine(t, clk.Now)
	rec := &recorder{}
	e.cfg.Events = rec.add
	ids := seedAgents(t, pool, 2)
	tasks := seedInteractions(t, pool, 2)
	ag, id := ids[0], tasks[0].InteractionID
	tasks[0].Channel = voice
	must(t, e.Login(ctx, ag))
	must(t, e.Enqueue(ctx, tasks[0]))
	must(t, e.Accept(ctx, ag, id))
	start := clk.Now()
	must(t, e.Complete(ctx, ag, id)) // 30 s of wrap-up

	if _, err := e.ExtendWrapUp(ctx, ids[1], id, time.Minute); !errors.Is(err, switchboard.ErrNotFound) {
		t.Fatalf("another agent extends: %v, want ErrNotFound", err)
	}
	if _, err := e.ExtendWrapUp(ctx, ag, tasks[1].InteractionID, time.Minute); !errors.Is(err, switchboard.ErrNotFound) {
		t.Fatalf("extending what is not in wrap-up: %v, want ErrNotFound", err)
	}
	if _, err := e.ExtendWrapUp(ctx, ag, id, 0); !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("extending by nothing: %v, want ErrInvalid", err)
	}
	rec.take()
	end, err := e.ExtendWrapUp(ctx, ag, id, time.Minute)
	must(t, err)
	if want := start.Add(90 * time.Second); !end.Equal(want) {
		t.Fatalf("wrap-up ends %v, want %v", end, want)
	}
	evs := rec.take()
	if len(evs) != 1 || evs[0].Kind != EventWrapUp || !evs[0].Expires.Equal(end) || evs[0].Reason != "extended" {
		t.Fatalf("events %+v, want one wrapup (extended) until %v", evs, end)
	}
	if _, err := e.ExtendWrapUp(ctx, ag, id, 211*time.Second); !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("past 5 minutes in all: %v, want ErrInvalid", err)
	}

	// Redis is lost: the rebuild restores the extended end and the start.
	must(t, testenv.DeletePrefix(ctx, e.rdb.(*redis.Client), e.cfg.Prefix))
	clk.Advance(31 * time.Second)
	must(t, e.Sweep(ctx))
	if _, err := e.ExtendWrapUp(ctx, ag, id, 211*time.Second); !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("after the rebuild, past 5 minutes in all: %v, want ErrInvalid", err)
	}
	end, err = e.ExtendWrapUp(ctx, ag, id, 210*time.Second)
	must(t, err)
	if want := start.Add(5 * time.Minute); !end.Equal(want) {
		t.Fatalf("wrap-up ends %v, want %v", end, want)
	}
	var endedAt time.Time
	must(t, pool.QueryRow(ctx, `SELECT ended_at FROM interactions WHERE id = $1`, id).Scan(&endedAt))
	if !endedAt.Equal(start) {
		t.Fatalf("ended_at %v, want the end of the conversation %v", endedAt, start)
	}
	clk.Advance(4*time.Minute + 28*time.Second) // 4:59 since the start
	must(t, e.Sweep(ctx))
	if _, err := e.ExtendWrapUp(ctx, ag, id, time.Second); !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("at the limit: %v, want ErrInvalid", err)
	}
	clk.Advance(2 * time.Second)
	rec.take()
	must(t, e.Sweep(ctx))
	var done bool
	for _, ev := range rec.take() {
		done = done || ev.Kind == EventDone && ev.InteractionID == id
	}
	if !done {
		t.Fatal("wrap-up did not end at its extended end")
	}
}
