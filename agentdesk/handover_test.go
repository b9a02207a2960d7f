package agentdesk_test

import (
	"testing"
	"time"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/routing"
)

type handoverOffer struct {
	Interaction struct {
		ID int64 `json:"id"`
	} `json:"interaction"`
	Pop struct {
		Handovers []struct {
			Kind, By, Mode, Note string
			ToQueue              string `json:"to_queue"`
			ToAgent              string `json:"to_agent"`
		} `json:"handovers"`
	} `json:"pop"`
}

// TestHandoverNoteReachesTheNextAgent: the agent a transfer reaches sees
// the handing agent's note in the offer, also when the transfer went to a
// queue nobody served and overflowed on.
func TestHandoverNoteReachesTheNextAgent(t *testing.T) {
	c := newCentre(t, routing.Config{Queues: []routing.Queue{
		{Name: "wealth", Skills: []string{"wealth"}, Overflow: "general", OverflowAfter: time.Second}, {Name: "general"}}})
	n := c.node(agentdesk.Config{})
	_, t1 := c.agent("front", switchboard.RoleAgent)
	id2, t2 := c.agent("expert", switchboard.RoleAgent)
	front, expert := dial(t, n, t1), dial(t, n, t2)
	expert.ok("set_state", map[string]any{"state": "break", "reason": "training"})
	front.ok("set_state", map[string]any{"state": "available"})

	// To an agent, warm.
	id := c.arrive(n, 0, switchboard.TierMass)
	front.expect("offer", nil)
	front.ok("accept", map[string]any{"interaction_id": id})
	front.ok("transfer", map[string]any{"interaction_id": id, "to_agent": id2, "mode": "warm", "note": "wants a mortgage"})
	expert.ok("set_state", map[string]any{"state": "available"})
	var o handoverOffer
	expert.expect("offer", &o)
	if h := o.Pop.Handovers; o.Interaction.ID != id || len(h) != 1 || h[0].Kind != "transfer" || h[0].By != "Front" ||
		h[0].Mode != "warm" || h[0].Note != "wants a mortgage" || h[0].ToAgent != "Expert" {
		t.Fatalf("the expert's offer of %d carries handovers %+v, want front's warm note", o.Interaction.ID, h)
	}
	expert.ok("accept", map[string]any{"interaction_id": id})
	expert.ok("wrapup", map[string]any{"interaction_id": id, "disposition": "referral"})
	expert.ok("set_state", map[string]any{"state": "break", "reason": "training"})

	// To a queue nobody serves, which overflows to general.
	id = c.arrive(n, 0, switchboard.TierMass)
	front.expect("offer", nil)
	front.ok("accept", map[string]any{"interaction_id": id})
	front.ok("transfer", map[string]any{"interaction_id": id, "to_queue": "wealth", "mode": "warm", "note": "asks about funds"})
	front.ok("set_state", map[string]any{"state": "break", "reason": "meeting"})
	expert.ok("set_state", map[string]any{"state": "available"})
	for o.Interaction.ID != id {
		o = handoverOffer{}
		expert.expect("offer", &o)
	}
	h := o.Pop.Handovers
	if len(h) != 2 || h[0].Note != "asks about funds" || h[0].ToQueue != "wealth" || h[1].Kind != "overflow" || h[1].ToQueue != "general" {
		t.Fatalf("the overflowed transfer's offer carries handovers %+v, want the note then the overflow to general", h)
	}
}
