package agentdesk_test

import (
	"context"
	"testing"
	"time"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/channels"
	"switchboard/interactions"
	"switchboard/routing"
)

// TestOfferAcceptReplyWrapUpAcrossNodes follows one VIP text from arrival
// to wrap-up with the agent's socket on one node and the interaction
// arriving on another.
func TestOfferAcceptReplyWrapUpAcrossNodes(t *testing.T) {
	c := newCentre(t, routing.Config{})
	a, b := c.node(agentdesk.Config{}), c.node(agentdesk.Config{})
	rm, _ := c.agent("wang", switchboard.RoleRM)
	agentID, token := c.agent("li", switchboard.RoleAgent)
	cust := c.customer("Zhang Wei", switchboard.TierVIP, rm, "+8613800000001")
	c.exec(`INSERT INTO customer_events (customer_id, kind, amount, occurred_at, received_at) VALUES ($1, 'large_withdrawal', 500000, now(), now())`, cust)

	d := dial(t, a, token)
	d.expect("sync", nil)
	d.ok("set_state", map[string]any{"state": "available"})
	id := c.arrive(b, cust, switchboard.TierVIP, "menu:main", "cards")

	var o offerJSON
	d.expect("offer", &o)
	switch {
	case o.Interaction.ID != id || o.Interaction.Tier != "vip":
		t.Fatalf("offer = %+v, want interaction %d of tier vip", o.Interaction, id)
	case o.Pop.Customer == nil || o.Pop.Customer.RM == nil || o.Pop.Customer.RM.Name != "Wang":
		t.Fatalf("pop customer = %+v, want RM Wang", o.Pop.Customer)
	case len(o.Pop.Alerts) != 1 || o.Pop.Alerts[0].Kind != "large_withdrawal":
		t.Fatalf("alerts = %+v", o.Pop.Alerts)
	case len(o.Pop.NextActions) == 0 || o.Pop.NextActions[0].Code != "wealth_review":
		t.Fatalf("next actions = %+v, want wealth_review first", o.Pop.NextActions)
	case len(o.Interaction.IVRPath) != 2 || len(o.Pop.Messages) != 1:
		t.Fatalf("ivr %v, messages %v", o.Interaction.IVRPath, o.Pop.Messages)
	case o.CountdownMs <= 0:
		t.Fatalf("countdown %d", o.CountdownMs)
	}
	if n := c.count(`SELECT count(*) FROM audit_log WHERE agent_id = $1 AND customer_id = $2 AND reason = 'screen_pop'`, agentID, cust); n != 1 {
		t.Fatalf("%d screen_pop audit rows, want 1", n)
	}

	d.ok("accept", map[string]any{"interaction_id": id})
	d.expect("interaction", nil)

	// The customer writes again, through the other node's bus.
	bus := c.w.NewBus()
	in := &interactions.Message{ID: 999, InteractionID: id, Direction: switchboard.Inbound, Body: "are you there?"}
	if err := bus.Publish(context.Background(), channels.Event{Kind: "message", InteractionID: id, Channel: switchboard.ChannelSMS, AgentID: agentID, Message: in}); err != nil {
		t.Fatal(err)
	}
	var mf struct {
		Message interactions.Message `json:"message"`
	}
	d.expect("message", &mf)
	if mf.Message.Body != "are you there?" {
		t.Fatalf("message = %+v", mf.Message)
	}

	d.ok("send", map[string]any{"interaction_id": id, "body": "Yes, how can I help?", "client_msg_id": "m1"})
	select {
	case m := <-c.sent:
		if m.Body != "Yes, how can I help?" || m.InteractionID != id {
			t.Fatalf("customer received %+v", m)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reply never reached the channel")
	}

	due := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	d.ok("wrapup", map[string]any{"interaction_id": id, "disposition": "enquiry", "notes": "asked about the withdrawal",
		"follow_up": map[string]any{"due_at": due, "note": "call back about a wealth review"}})
	// The same wrap-up again (a resend after a lost reply) changes nothing.
	d.ok("wrapup", map[string]any{"interaction_id": id, "disposition": "enquiry", "notes": "asked about the withdrawal"})

	if n := c.count(`SELECT count(*) FROM interactions WHERE id = $1 AND disposition = 'enquiry' AND state = 'done'`, id); n != 1 {
		t.Fatal("interaction not done with its disposition")
	}
	if n := c.count(`SELECT count(*) FROM notes WHERE interaction_id = $1`, id); n != 1 {
		t.Fatalf("%d notes, want 1", n)
	}
	if n := c.count(`SELECT count(*) FROM follow_ups WHERE interaction_id = $1 AND owner_id = $2 AND due_at = $3`, id, agentID, due); n != 1 {
		t.Fatalf("%d follow-ups, want 1", n)
	}
}

func TestDeclineGoesToTheNextAgent(t *testing.T) {
	c := newCentre(t, routing.Config{})
	n := c.node(agentdesk.Config{})
	_, t1 := c.agent("first", switchboard.RoleAgent)
	_, t2 := c.agent("second", switchboard.RoleAgent)
	d1 := dial(t, n, t1)
	d1.ok("set_state", map[string]any{"state": "available"})
	id := c.arrive(n, 0, switchboard.TierMass)
	var o offerJSON
	d1.expect("offer", &o)
	if !o.Pop.Unidentified || o.Pop.NextActions[0].Code != "identify_customer" {
		t.Fatalf("pop of an unknown sender = %+v", o.Pop)
	}
	d2 := dial(t, n, t2)
	d2.ok("set_state", map[string]any{"state": "available"})
	d1.ok("decline", map[string]any{"interaction_id": id})
	d1.expect("offer_withdrawn", nil)
	d2.expect("offer", &o)
	if o.Interaction.ID != id {
		t.Fatalf("second agent offered %d, want %d", o.Interaction.ID, id)
	}
	if f := d1.call("accept", map[string]any{"interaction_id": id}); f.Type != "error" || f.Error.Code != "not_found" {
		t.Fatalf("accepting a declined offer = %+v", f)
	}
}

func TestOfferTimesOut(t *testing.T) {
	// The harness's interactions are texts: have a missed one count.
	c := newCentre(t, routing.Config{ReservationTimeout: 700 * time.Millisecond,
		NotReadyOnMiss: map[switchboard.Channel]bool{switchboard.ChannelSMS: true}})
	n := c.node(agentdesk.Config{})
	agentID, token := c.agent("sleepy", switchboard.RoleAgent)
	d := dial(t, n, token)
	d.ok("set_state", map[string]any{"state": "available"})
	id := c.arrive(n, 0, switchboard.TierStandard)
	d.expect("offer", nil)
	var w struct {
		InteractionID int64  `json:"interaction_id"`
		Reason        string `json:"reason"`
	}
	d.expect("offer_withdrawn", &w)
	if w.InteractionID != id {
		t.Fatalf("withdrawn %+v", w)
	}
	var st struct {
		AgentID int64  `json:"agent_id"`
		State   string `json:"state"`
	}
	for st.State != "break" {
		d.expect("agent_state", &st)
	}
	if st.AgentID != agentID {
		t.Fatalf("after a missed offer the agent is %+v, want on break", st)
	}
}

// TestReconnectToAnotherNode drops the desk while an offer is live and
// reconnects to the other node: the offer is there once, with its
// countdown, and can be accepted there.
func TestReconnectToAnotherNode(t *testing.T) {
	c := newCentre(t, routing.Config{ReservationTimeout: 20 * time.Second})
	a, b := c.node(agentdesk.Config{}), c.node(agentdesk.Config{})
	_, token := c.agent("roamer", switchboard.RoleAgent)
	cust := c.customer("Chen Jing", switchboard.TierPrivate, 0, "+8613800000002")
	d := dial(t, a, token)
	d.ok("set_state", map[string]any{"state": "available"})
	id := c.arrive(a, cust, switchboard.TierPrivate)
	d.expect("offer", nil)
	d.ws.Close()

	d2 := dial(t, b, token)
	var s struct {
		Offers       []offerJSON `json:"offers"`
		Interactions []offerJSON `json:"interactions"`
	}
	d2.expect("sync", &s)
	if len(s.Offers) != 1 || s.Offers[0].Interaction.ID != id || s.Offers[0].CountdownMs <= 0 || s.Offers[0].Pop.Customer == nil {
		t.Fatalf("sync after reconnect = %+v", s)
	}
	d2.ok("accept", map[string]any{"interaction_id": id})
	s.Offers = nil
	d2.ok("sync", nil)
	raw := d2.ok("sync", nil)
	if err := jsonUnmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Offers) != 0 || len(s.Interactions) != 1 || s.Interactions[0].Interaction.State != "connected" {
		t.Fatalf("sync after accept = %+v", s)
	}
}

func TestTransferToAnotherAgent(t *testing.T) {
	c := newCentre(t, routing.Config{})
	a, b := c.node(agentdesk.Config{}), c.node(agentdesk.Config{})
	_, t1 := c.agent("front", switchboard.RoleAgent)
	id2, t2 := c.agent("expert", switchboard.RoleAgent)
	d1 := dial(t, a, t1)
	d1.ok("set_state", map[string]any{"state": "available"})
	id := c.arrive(a, 0, switchboard.TierMass)
	d1.expect("offer", nil)
	d1.ok("accept", map[string]any{"interaction_id": id})

	d2 := dial(t, b, t2)
	d2.ok("set_state", map[string]any{"state": "break", "reason": "training"})
	if f := d1.call("transfer", map[string]any{"interaction_id": id, "to_agent": id2, "mode": "warm"}); f.Type != "error" || f.Error.Code != "invalid" {
		t.Fatalf("warm transfer without a note = %+v", f)
	}
	d1.ok("transfer", map[string]any{"interaction_id": id, "to_agent": id2, "mode": "warm", "note": "wants a mortgage"})
	var u struct {
		State string `json:"state"`
	}
	for u.State != "transferred" {
		d1.expect("interaction", &u)
	}
	d2.ok("set_state", map[string]any{"state": "available"})
	var o offerJSON
	d2.expect("offer", &o)
	if o.Interaction.ID != id {
		t.Fatalf("expert offered %d, want %d", o.Interaction.ID, id)
	}
	if n := c.count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind = 'transfer_requested' AND data->>'note' = 'wants a mortgage'`, id); n != 1 {
		t.Fatal("handover note not recorded")
	}
}
