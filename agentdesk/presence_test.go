package agentdesk_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/routing"
)

// TestAgentWithoutDeskGoesOnBreak: an available agent whose desks are all
// gone, on every node, is put on break once DeskGone has passed, so routing
// stops offering them work; a desk that stays open, one that reconnects to
// another node in time, and an agent who never had a desk (routed by an
// integration) are left available.
func TestAgentWithoutDeskGoesOnBreak(t *testing.T) {
	c := newCentre(t, routing.Config{})
	cfg := agentdesk.Config{DeskGone: 800 * time.Millisecond}
	n1, n2 := c.node(cfg), c.node(cfg)
	ctx := context.Background()

	gone, goneToken := c.agent("gone", switchboard.RoleAgent)
	stays, staysToken := c.agent("stays", switchboard.RoleAgent)
	back, backToken := c.agent("back", switchboard.RoleAgent)
	deskless, _ := c.agent("deskless", switchboard.RoleAgent)

	for _, token := range []string{goneToken, staysToken, backToken} {
		d := dial(t, n1, token)
		d.ok("set_state", map[string]any{"state": "available"})
		if token != staysToken {
			d.ws.Close()
		}
	}
	dial(t, n2, backToken) // back in time, on the other node
	if err := n1.engine.Login(ctx, deskless); err != nil {
		t.Fatal(err)
	}
	if err := n1.engine.SetState(ctx, deskless, routing.AgentAvailable, ""); err != nil {
		t.Fatal(err)
	}

	state := func() map[int64]routing.AgentStatus {
		t.Helper()
		all, err := n2.engine.AgentStates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]routing.AgentStatus{}
		for _, s := range all {
			m[s.AgentID] = s
		}
		return m
	}
	deadline := time.Now().Add(20 * time.Second)
	for state()[gone].State != routing.AgentBreak {
		if time.Now().After(deadline) {
			t.Fatalf("the agent with no desk is still %+v", state()[gone])
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Two more DeskGone periods: nobody else is touched.
	time.Sleep(2 * cfg.DeskGone)
	got := state()
	if got[gone].Reason != agentdesk.ReasonDeskClosed {
		t.Errorf("break reason %q, want %q", got[gone].Reason, agentdesk.ReasonDeskClosed)
	}
	for name, id := range map[string]int64{"stays": stays, "back": back, "deskless": deskless} {
		if got[id].State != routing.AgentAvailable {
			t.Errorf("%s is %+v, want available", name, got[id])
		}
	}
}

// TestDeskOpenedDuringSweepStaysAvailable: a desk that opens while the
// sweep is putting its agent on break (the agent's old desk gone, the sweep
// already holding them) leaves the agent available: the sweep looks again.
func TestDeskOpenedDuringSweepStaysAvailable(t *testing.T) {
	c := newCentre(t, routing.Config{})
	cfg := agentdesk.Config{DeskGone: 600 * time.Millisecond}
	n1, n2 := c.node(cfg), c.node(cfg)
	ctx := context.Background()
	agent, token := c.agent("returns", switchboard.RoleAgent)

	d := dial(t, n1, token)
	d.ok("set_state", map[string]any{"state": "available"})
	opened := make(chan struct{})
	var once sync.Once
	race := func(id int64) {
		if id != agent {
			return
		}
		once.Do(func() {
			// The agent comes back on the other node just now.
			dial(t, n2, token) // returns once the desk said hello: it is open
			close(opened)
		})
	}
	n1.desk.SetBeforeBreak(race)
	n2.desk.SetBeforeBreak(race)
	d.ws.Close()

	select {
	case <-opened:
	case <-time.After(20 * time.Second):
		t.Fatal("the sweep never came for the agent whose desk closed")
	}
	time.Sleep(2 * cfg.DeskGone)
	all, err := n1.engine.AgentStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.AgentID == agent && s.State != routing.AgentAvailable {
			t.Fatalf("the agent at a desk opened during the sweep is %+v, want available", s)
		}
	}
}
