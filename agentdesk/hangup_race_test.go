package agentdesk_test

import (
	"context"
	"testing"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/routing"
)

// TestWrapUpRacingTheHangUp: the customer's side ends the conversation
// (as the voice channel does when the caller hangs up) while the agent
// sends its wrap-up. Whichever lands first, the wrap-up succeeds, the
// disposition is recorded and the agent is free for the next offer.
func TestWrapUpRacingTheHangUp(t *testing.T) {
	c := newCentre(t, routing.Config{})
	n := c.node(agentdesk.Config{})
	agentID, token := c.agent("li", switchboard.RoleAgent)
	d := dial(t, n, token)
	d.expect("sync", nil)
	d.ok("set_state", map[string]any{"state": "available"})
	const rounds = 12
	for i := range rounds {
		id := c.arrive(n, 0, switchboard.TierStandard)
		d.expect("offer", nil)
		d.ok("accept", map[string]any{"interaction_id": id})
		hungUp := make(chan error, 1)
		go func() { hungUp <- n.engine.Complete(context.Background(), agentID, id) }()
		if i%2 == 0 {
			if err := <-hungUp; err != nil { // the hang-up lands first
				t.Fatal(err)
			}
		}
		f := d.call("wrapup", map[string]any{"interaction_id": id, "disposition": "enquiry"})
		if f.Type != "ok" {
			t.Fatalf("round %d: wrap-up after the hang-up: %s %+v", i, f.Type, f.Error)
		}
		if i%2 == 1 {
			if err := <-hungUp; err != nil {
				t.Fatalf("round %d: the hang-up after the wrap-up: %v", i, err)
			}
		}
	}
	if got := c.count(`SELECT count(*) FROM interactions WHERE disposition = 'enquiry' AND state = 'done'`); got != rounds {
		t.Fatalf("%d interactions done with their disposition, want %d", got, rounds)
	}
}
