package agentdesk_test

import (
	"encoding/json"
	"testing"
	"time"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/routing"
)

type wrapUpPush struct {
	InteractionID int64     `json:"interaction_id"`
	State         string    `json:"state"`
	Reason        string    `json:"reason"`
	Expires       time.Time `json:"expires"`
	CountdownMs   int64     `json:"countdown_ms"`
}

// untilState waits for the interaction push that puts id in state.
func untilState(d *desk, id int64, state string) wrapUpPush {
	d.t.Helper()
	for {
		var u wrapUpPush
		d.expect("interaction", &u)
		if u.InteractionID == id && u.State == state {
			return u
		}
	}
}

// TestWrapUpExtendAndTimeoutKeepsDraft: the desk hears how long wrap-up
// has left, may extend it up to the bank's limit, and what the agent typed
// (saved as a draft) becomes the record when the time runs out.
func TestWrapUpExtendAndTimeoutKeepsDraft(t *testing.T) {
	c := newCentre(t, routing.Config{WrapUp: 1500 * time.Millisecond, WrapUpMax: 4 * time.Second})
	n := c.node(agentdesk.Config{WrapUpExtend: time.Second})
	agentID, token := c.agent("li", switchboard.RoleAgent)
	cust := c.customer("Zhang Wei", switchboard.TierStandard, 0, "+8613800000001")
	d := dial(t, n, token)
	d.expect("sync", nil)
	d.ok("set_state", map[string]any{"state": "available"})

	id := c.arrive(n, cust, switchboard.TierStandard)
	d.expect("offer", nil)
	d.ok("accept", map[string]any{"interaction_id": id})
	d.ok("end", map[string]any{"interaction_id": id})
	first := untilState(d, id, "wrapup")
	if first.CountdownMs <= 0 || first.Expires.IsZero() {
		t.Fatalf("wrap-up push %+v has no time left", first)
	}

	var ext struct {
		Expires     time.Time `json:"expires"`
		CountdownMs int64     `json:"countdown_ms"`
	}
	if err := json.Unmarshal(d.ok("extend_wrapup", map[string]any{"interaction_id": id}), &ext); err != nil {
		t.Fatal(err)
	}
	if !ext.Expires.After(first.Expires) || ext.CountdownMs <= first.CountdownMs-500 {
		t.Fatalf("extended to %+v, first end %v", ext, first.Expires)
	}
	if u := untilState(d, id, "wrapup"); u.Reason != "extended" || !u.Expires.Equal(ext.Expires) {
		t.Fatalf("extension push %+v, want reason extended and end %v", u, ext.Expires)
	}
	d.ok("extend_wrapup", map[string]any{"interaction_id": id})
	if f := d.call("extend_wrapup", map[string]any{"interaction_id": id}); f.Type != "error" || f.Error.Code != "conflict" {
		t.Fatalf("extending past the bank's limit = %s %+v, want conflict", f.Type, f.Error)
	}

	if f := d.call("wrapup_draft", map[string]any{"interaction_id": id, "disposition": "disp.nonsense"}); f.Type != "error" || f.Error.Code != "invalid" {
		t.Fatalf("draft with an unknown disposition = %s %+v", f.Type, f.Error)
	}
	d.ok("wrapup_draft", map[string]any{"interaction_id": id, "disposition": "", "notes": "card kept"})
	d.ok("wrapup_draft", map[string]any{"interaction_id": id, "disposition": "complaint", "notes": "card kept by the ATM"})

	var s struct {
		Interactions []struct {
			Draft  *struct{ Disposition, Notes string } `json:"draft"`
			WrapUp *struct {
				CountdownMs int64 `json:"countdown_ms"`
			} `json:"wrapup"`
		} `json:"interactions"`
	}
	if err := json.Unmarshal(d.ok("sync", nil), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Interactions) != 1 || s.Interactions[0].Draft == nil || s.Interactions[0].Draft.Notes != "card kept by the ATM" ||
		s.Interactions[0].WrapUp == nil || s.Interactions[0].WrapUp.CountdownMs <= 0 {
		t.Fatalf("sync during wrap-up = %+v, want the draft and the time left", s.Interactions)
	}

	untilState(d, id, "done")
	deadline := time.Now().Add(5 * time.Second)
	for c.count(`SELECT count(*) FROM interactions WHERE id = $1 AND disposition = 'complaint'`, id) != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the timed-out wrap-up was not completed with the saved disposition")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := c.count(`SELECT count(*) FROM notes WHERE interaction_id = $1 AND agent_id = $2 AND body = 'card kept by the ATM'`, id, agentID); n != 1 {
		t.Fatalf("%d notes from the draft, want 1", n)
	}
	if n := c.count(`SELECT count(*) FROM wrapup_drafts`); n != 0 {
		t.Fatalf("%d drafts left after the wrap-up was recorded", n)
	}
}
