package campaigns

import (
	"context"
	"fmt"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twiliosim"
)

// TestTriggeredWithdrawal is the classic case end to end: a 77-year-old
// VIP client withdraws a large sum; her relationship manager gets a preview
// call task due within one business day, calls her through the simulator,
// learns the money is for her daughter's flat, and records a mortgage lead
// for the daughter.
func TestTriggeredWithdrawal(t *testing.T) {
	ctx := context.Background()
	friday := time.Date(2026, 12, 11, 2, 0, 0, 0, time.UTC) // 10:00 in Shanghai
	w := newWorld(t, friday, twiliosim.Answering{ByNumber: map[string]string{"+8613911112222": "human"}})
	r := w.rig("node-a", DialerConfig{})
	rm := addAgent(t, r.pool, "zhou.rm", switchboard.RoleRM)
	other := addAgent(t, r.pool, "liu.rm", switchboard.RoleRM)
	client := addCustomer(t, r.pool, cust{name: "Chen Shufen", phone: "+8613911112222", tier: "vip", rm: rm.ID, birth: "1949-03-02"})
	standard := addCustomer(t, r.pool, cust{name: "Ma Li", phone: "+8613911113333", tier: "standard", rm: rm.ID})

	ev := &Event{CustomerID: client, Kind: "large_withdrawal", Amount: "800000.00", OccurredAt: friday.Add(-time.Hour),
		Source: "core-banking", ExternalID: "cbs-20261211-000917"}
	tasks, dup, err := r.store.Ingest(ctx, ev)
	if err != nil || dup || len(tasks) != 1 {
		t.Fatalf("Ingest = %v, dup %v, %v; want one task", tasks, dup, err)
	}
	task := tasks[0]
	// Friday 10:00 plus one business day is Monday 10:00 in Shanghai.
	if due := time.Date(2026, 12, 14, 2, 0, 0, 0, time.UTC); task.AgentID != rm.ID || task.Kind != "triggered_call" || !task.DueAt.Equal(due) {
		t.Fatalf("task %+v; want a triggered call for the RM due %v", task, due)
	}
	again, dup, err := r.store.Ingest(ctx, &Event{CustomerID: client, Kind: "large_withdrawal", Amount: "800000.00",
		OccurredAt: ev.OccurredAt, ExternalID: ev.ExternalID})
	if err != nil || !dup || len(again) != 1 || again[0].ID != task.ID {
		t.Fatalf("resent event: %v, dup %v, %v; want the same single task", again, dup, err)
	}
	if ts, _, err := r.store.Ingest(ctx, &Event{CustomerID: standard, Kind: "large_withdrawal", Amount: "800000.00",
		OccurredAt: ev.OccurredAt, ExternalID: "cbs-other"}); err != nil || len(ts) != 0 {
		t.Fatalf("standard customer's withdrawal: %v, %v; want no task", ts, err)
	}
	desk, err := r.store.Tasks(ctx, rm.ID)
	if err != nil || len(desk) != 1 || desk[0].EventKind != "large_withdrawal" || desk[0].Amount != "800000.00" {
		t.Fatalf("RM's desk: %+v, %v", desk, err)
	}

	if _, err := r.dialer.DialTask(ctx, other, task.ID); !isKind(err, switchboard.ErrNotFound) {
		t.Fatalf("another RM dialling the task: %v, want ErrNotFound", err)
	}
	if _, err := r.dialer.DialTask(ctx, rm, task.ID); err != nil {
		t.Fatal(err)
	}
	settle(t, r.pool)
	if len(r.tasks) != 1 || r.tasks[0].PreferredAgent != rm.ID || r.tasks[0].CustomerID != client {
		t.Fatalf("routed %+v; want the answered call offered to the RM", r.tasks)
	}
	out := TaskOutcome{Disposition: Disposition{Code: Interested, Note: "Withdrawal is the deposit for her daughter's flat in Pudong; daughter needs a mortgage."},
		Lead: &Lead{Product: "mortgage", ProspectName: "Chen Jing", Relation: "daughter", ProspectPhone: "+8613977778888"}}
	lead, err := r.store.CompleteTask(ctx, rm, task.ID, out)
	if err != nil {
		t.Fatal(err)
	}
	leads, err := r.store.Leads(ctx, client)
	if err != nil || len(leads) != 1 || leads[0].ID != lead.ID || leads[0].Relation != "daughter" || leads[0].AgentID != rm.ID {
		t.Fatalf("leads %+v, %v", leads, err)
	}
	var state, disp, result string
	var notes int
	r.pool.QueryRow(ctx, `SELECT t.state, t.disposition, (SELECT result FROM outreach_attempts WHERE task_id = t.id),
		(SELECT count(*) FROM notes WHERE customer_id = t.customer_id) FROM outbound_tasks t WHERE t.id = $1`, task.ID).
		Scan(&state, &disp, &result, &notes)
	if state != "done" || disp != Interested || result != "connected" || notes != 1 {
		t.Errorf("task %s/%s, call %s, %d notes; want done/interested, connected, 1", state, disp, result, notes)
	}
	if desk, _ := r.store.Tasks(ctx, rm.ID); len(desk) != 0 {
		t.Errorf("RM's desk still lists %d tasks", len(desk))
	}
	if _, err := r.store.CompleteTask(ctx, rm, task.ID, out); !isKind(err, switchboard.ErrConflict) {
		t.Errorf("completing twice: %v, want ErrConflict", err)
	}
}

func TestIngestRefusesBadEvents(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, monday, twiliosim.Answering{})
	r := w.rig("node-a", DialerConfig{})
	id := addCustomer(t, r.pool, cust{name: "x", phone: phoneN(1)})
	at := monday.Add(-time.Hour)
	tests := map[string]Event{
		"unknown kind":     {CustomerID: id, Kind: "lottery_win", OccurredAt: at, ExternalID: "a"},
		"no external id":   {CustomerID: id, Kind: "birthday", OccurredAt: at},
		"bad amount":       {CustomerID: id, Kind: "large_deposit", Amount: "1e9", OccurredAt: at, ExternalID: "b"},
		"future":           {CustomerID: id, Kind: "birthday", OccurredAt: monday.Add(48 * time.Hour), ExternalID: "c"},
		"unknown customer": {CustomerID: 999999, Kind: "birthday", OccurredAt: at, ExternalID: "d"},
	}
	for name, ev := range tests {
		t.Run(name, func(t *testing.T) {
			if _, _, err := r.store.Ingest(ctx, &ev); !isKind(err, switchboard.ErrInvalid) {
				t.Errorf("Ingest = %v, want ErrInvalid", err)
			}
		})
	}
	var n int
	r.pool.QueryRow(ctx, `SELECT count(*) FROM customer_events`).Scan(&n)
	if n != 0 {
		t.Errorf("%d events stored from bad input", n)
	}
}

// TestSMSRule: an event meeting an sms outreach rule texts the customer
// the rule's message once, past the gates, even when the event is resent;
// an opted-out customer's event is recorded as a skip and texts nobody; a
// text due outside the window waits for it; and an sms rule without a
// message is refused when it is created.
func TestSMSRule(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, monday.Add(2*time.Hour), twiliosim.Answering{}) // 10:00 in Shanghai
	r := w.rig("node-a", DialerConfig{})
	if _, err := r.pool.Exec(ctx, `INSERT INTO outreach_rules (name, event_kind, action, title) VALUES ('no text', 'birthday', 'sms', 'x')`); err == nil {
		t.Fatal("an sms rule without a message was accepted")
	}
	mustExec(t, r.pool, `INSERT INTO outreach_rules (name, event_kind, tiers, action, title, template)
		VALUES ('deposit-thanks', 'large_deposit', '{vip}', 'sms', 'Thank you', '{name}，感谢您的存款。')`)
	glad := addCustomer(t, r.pool, cust{name: "Glad Li", phone: "+8613922220001", tier: "vip"})
	stop := addCustomer(t, r.pool, cust{name: "Stop Qi", phone: "+8613922220002", tier: "vip"})
	night := addCustomer(t, r.pool, cust{name: "Night Fu", phone: "+8613922220003", tier: "vip", zone: "America/New_York"})
	mustExec(t, r.pool, `INSERT INTO consent_changes (customer_id, phone, kind, opted_out, source, at)
		VALUES ($1, '+8613922220002', 'sms', true, 'sms:退订', now())`, stop)
	at := monday.Add(time.Hour)
	for i, id := range []int64{glad, stop, night, glad} { // the last is glad's event resent
		ext := fmt.Sprintf("dep-%d", i%3)
		if _, _, err := r.store.Ingest(ctx, &Event{CustomerID: id, Kind: "large_deposit", Amount: "500000.00", OccurredAt: at, ExternalID: ext}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.dialer.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	texts := func() map[string][]string {
		out := map[string][]string{}
		for _, m := range w.sim.Messages() {
			out[m.To] = append(out[m.To], m.Body)
		}
		return out
	}
	if got := texts(); len(got) != 1 || len(got["+8613922220001"]) != 1 || got["+8613922220001"][0] != "Glad Li，感谢您的存款。" {
		t.Fatalf("texts sent: %v; want one thank-you to Glad Li", got)
	}
	var result, reason string
	r.pool.QueryRow(ctx, `SELECT a.result, a.reason FROM outreach_attempts a WHERE a.customer_id = $1`, stop).Scan(&result, &reason)
	if result != "skipped" || Reason(reason) != ReasonOptedOut {
		t.Errorf("opted-out customer's attempt %s/%s; want skipped/opted_out", result, reason)
	}
	// 21:00 on Sunday in New York: the text waits for Monday 09:00 there.
	w.clock.Set(monday.Add(14 * time.Hour))
	if _, err := r.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if got := texts(); len(got) != 2 || len(got["+8613922220003"]) != 1 {
		t.Fatalf("texts sent once New York's window opened: %v", got)
	}
	var attempts, sent int
	r.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE result <> 'skipped'), count(*) FILTER (WHERE result IN ('sent', 'delivered'))
		FROM outreach_attempts WHERE channel = 'sms' AND campaign_id IS NULL`).Scan(&attempts, &sent)
	if attempts != 2 || sent != 2 {
		t.Errorf("%d rule text attempts, %d sent; want 2 and 2", attempts, sent)
	}
}
