package routing

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"switchboard"
)

// TestBatch sends several operations in one call to Redis: each succeeds or
// fails alone, an operation whose caller has gone is not sent, and a Redis
// without the routing library gets it loaded.
func TestBatch(t *testing.T) {
	clk := newClock()
	e, _ := memEngine(t, Config{Agents: []AgentProfile{agent(1, nil), agent(2, nil), agent(3, nil)}}, clk)
	ctx := context.Background()
	must(t, e.Login(ctx, 1)) // sets up the routing state
	login := func(id int64) []any {
		data, err := json.Marshal(e.wireProfile(agent(id, nil)))
		must(t, err)
		return append([]any{clk.Now().UnixMilli(), "login", string(data)}, e.tail()...)
	}
	gone, cancel := context.WithCancel(ctx)
	cancel()
	keys := e.keys.script(clk.Now())
	calls := []*opCall{
		{ctx: ctx, name: opAccept, args: []any{clk.Now().UnixMilli(), 1, 99}},
		{ctx: ctx, name: opPresence, args: login(2)},
		{ctx: gone, name: opPresence, args: login(3)},
		{ctx: ctx, name: "nonesuch", args: []any{clk.Now().UnixMilli()}},
	}
	for _, c := range calls {
		c.keys, c.done = keys, make(chan struct{})
	}
	e.batch.send(calls)

	if err := scriptError(calls[0].err); !errors.Is(err, switchboard.ErrNotFound) {
		t.Errorf("accepting an offer never made: %v, want ErrNotFound", err)
	}
	if calls[1].err != nil || len(calls[1].res) != 1 {
		t.Errorf("login after a failed operation: events %q, error %v", calls[1].res, calls[1].err)
	}
	if !errors.Is(calls[2].err, context.Canceled) {
		t.Errorf("operation of a caller gone: %v, want context.Canceled", calls[2].err)
	}
	if calls[3].err == nil {
		t.Error("an unknown operation did not fail")
	}
	_, agents, err := snapshot(ctx, e.rdb, e.keys)
	must(t, err)
	if agents["2"] == "" || agents["3"] != "" {
		t.Errorf("logged in: agent 2 %t, agent 3 %t; want only 2", agents["2"] != "", agents["3"] != "")
	}

	// As after a restart of Redis: the engine loads its library again.
	must(t, e.rdb.Do(ctx, "FUNCTION", "DELETE", routingFunction).Err())
	must(t, e.Login(ctx, 3))
}
