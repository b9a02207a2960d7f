package routing

import (
	"context"
	"strconv"
	"testing"
	"time"

	"switchboard"
	"switchboard/internal/testenv"
)

// TestReconcileLostRecords: a process decides in Redis and dies before its
// records reach Postgres (here: an engine without a pool on the same
// state). Reconcile brings Postgres to what Redis holds, both ways: a row
// left queued that Redis connected is connected, one Redis has ended is
// ended, an agent's presence follows; and a rebuild after Redis loses its
// data then brings back neither the ended call nor the old states.
func TestReconcileLostRecords(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	rdb, prefix := testenv.MustRedis(t)
	cfg := Config{Prefix: prefix, Queues: []Queue{{Name: "general"}}, RebuildSettle: 50 * time.Millisecond}
	e, err := New(cfg, rdb, pool, nil, time.Now)
	must(t, err)
	lost, err := New(cfg, rdb, nil, nil, time.Now)
	must(t, err)
	ag := seedAgents(t, pool, 1)[0]
	tasks := seedInteractions(t, pool, 3) // voice, chat, sms
	must(t, e.Login(ctx, ag))
	must(t, e.Enqueue(ctx, tasks[1])) // the chat, offered
	must(t, lost.Accept(ctx, ag, tasks[1].InteractionID))
	must(t, e.Enqueue(ctx, tasks[0])) // the call waits: the agent has a chat
	must(t, lost.Cancel(ctx, tasks[0].InteractionID, "hangup"))
	must(t, lost.SetState(ctx, ag, AgentBreak, "lunch"))

	n, err := e.Reconcile(ctx)
	must(t, err)
	if n != 3 {
		t.Fatalf("%d corrections, want 3", n)
	}
	wantRow := func(id int64, state switchboard.State) {
		t.Helper()
		var got string
		must(t, pool.QueryRow(ctx, `SELECT state FROM interactions WHERE id = $1`, id).Scan(&got))
		if got != string(state) {
			t.Fatalf("interaction %d is %s in Postgres, want %s", id, got, state)
		}
	}
	wantRow(tasks[1].InteractionID, switchboard.StateConnected)
	wantRow(tasks[0].InteractionID, switchboard.StateAbandoned)
	var presence string
	must(t, pool.QueryRow(ctx, `SELECT state FROM agent_presence WHERE agent_id = $1`, ag).Scan(&presence))
	if presence != string(AgentBreak) {
		t.Fatalf("agent is %s in Postgres, want break", presence)
	}
	if n, err := e.Reconcile(ctx); err != nil || n != 0 {
		t.Fatalf("a second pass: %d corrections, %v; want none", n, err)
	}

	must(t, testenv.DeletePrefix(ctx, rdb, prefix)) // Redis loses everything
	must(t, e.Sweep(ctx))
	live, _, err := snapshot(ctx, rdb, e.keys)
	must(t, err)
	if chat, ok := live[strconv.FormatInt(tasks[1].InteractionID, 10)]; len(live) != 1 || !ok || chat.St != "connected" {
		t.Fatalf("after the rebuild Redis routes %v, want the chat alone, connected", live)
	}
}

// TestReconcileBeforeAnyDecision: a centre just started (or just rebuilt
// from an empty history) has no decision counter yet; Reconcile finds
// nothing to correct rather than failing on the missing counter.
func TestReconcileBeforeAnyDecision(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	rdb, prefix := testenv.MustRedis(t)
	e, err := New(Config{Prefix: prefix, Queues: []Queue{{Name: "general"}}}, rdb, pool, nil, time.Now)
	must(t, err)
	must(t, e.Sweep(ctx)) // the first start: rebuilt from an empty history
	n, err := e.Reconcile(ctx)
	if err != nil || n != 0 {
		t.Fatalf("Reconcile before any decision: %d corrections, %v; want none and no error", n, err)
	}
}
