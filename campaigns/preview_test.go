package campaigns

import (
	"context"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twiliosim"
)

// TestPreviewCampaign runs a preview campaign against the simulator: each
// agent gets a contact, with the customer's name and tier for the screen
// pop, before anything is dialled; the agent chooses to dial; the call
// reaches the contact's number and the agent, and the agent's disposition
// is recorded. A contact the gates refuse, before it reaches an agent or
// when the agent dials it, is never dialled, and its agent gets the next
// contact.
func TestPreviewCampaign(t *testing.T) {
	ctx := context.Background()
	alice, carl, gated, dora := "+8613700000001", "+8613700000002", "+8613700000003", "+8613700000004"
	w := newWorld(t, monday.Add(2*time.Hour), twiliosim.Answering{ByNumber: map[string]string{ // 10:00 in Shanghai
		alice: "human", carl: "human", gated: "human", dora: "human"}})
	r := w.rig("node-a", DialerConfig{})
	a1 := addAgent(t, r.pool, "preview.one", switchboard.RoleAgent)
	a2 := addAgent(t, r.pool, "preview.two", switchboard.RoleAgent)
	gatedID := addCustomer(t, r.pool, cust{name: "Gated", phone: gated})
	aliceID := addCustomer(t, r.pool, cust{name: "Alice Wu", phone: alice, tier: "vip"})
	carlID := addCustomer(t, r.pool, cust{name: "Carl Xu", phone: carl})
	addCustomer(t, r.pool, cust{name: "Dora Yu", phone: dora})
	c := voiceCampaign("preview", Preview, []int64{a1.ID, a2.ID})
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(ctx, c.ID, Scheduled); err != nil {
		t.Fatal(err)
	}
	// Listed after the audience was built: the gates must catch it.
	mustExec(t, r.pool, `INSERT INTO dnc (phone, source, added_at) VALUES ($1, 'test', now())`, gated)
	for range 2 {
		if _, err := r.dialer.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if calls := len(w.sim.Calls()); calls != 0 {
		t.Fatalf("%d calls before any agent chose to dial", calls)
	}
	t1 := onlyTask(t, r, a1.ID, aliceID)
	if t1.Kind != "preview_call" || t1.CustomerName != "Alice Wu" || t1.Tier != "vip" || t1.CampaignID != c.ID {
		t.Fatalf("agent 1's preview %+v; want Alice Wu, vip, of the campaign", t1)
	}
	t2 := onlyTask(t, r, a2.ID, carlID)
	checkContact(t, r, c.ID, gatedID, "failed", string(ReasonDNC))

	// Carl opts out while his contact sits in agent 2's desk.
	mustExec(t, r.pool, `UPDATE customers SET opt_out_call = true WHERE id = $1`, carlID)
	if _, err := r.dialer.DialTask(ctx, a2, t2.ID); !isKind(err, switchboard.ErrConflict) {
		t.Fatalf("dialling an opted-out preview: %v, want ErrConflict", err)
	}
	checkContact(t, r, c.ID, carlID, "failed", string(ReasonOptedOut))
	// Agent 2, whose contact was refused, gets the next one.
	if _, err := r.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	onlyTask(t, r, a2.ID, mustID(t, r.pool, `SELECT id FROM customers WHERE phone = $1`, dora))

	if _, err := r.dialer.DialTask(ctx, a1, t1.ID); err != nil {
		t.Fatal(err)
	}
	settle(t, r.pool)
	if len(r.tasks) != 1 || r.tasks[0].PreferredAgent != a1.ID || r.tasks[0].CustomerID != aliceID {
		t.Fatalf("routed %+v; want Alice's answered call offered to agent 1", r.tasks)
	}
	if _, err := r.store.CompleteTask(ctx, a1, t1.ID, TaskOutcome{Disposition: Disposition{Code: Interested, Note: "wants the rates by mail"}}); err != nil {
		t.Fatal(err)
	}
	checkContact(t, r, c.ID, aliceID, "done", Interested)
	var disp, result string
	r.pool.QueryRow(ctx, `SELECT k.disposition, a.result FROM campaign_contacts k JOIN outreach_attempts a ON a.contact_id = k.id
		WHERE k.customer_id = $1 AND a.result <> 'skipped'`, aliceID).Scan(&disp, &result)
	if disp != Interested || result != "connected" {
		t.Errorf("Alice's contact: disposition %q, call %q; want interested, connected", disp, result)
	}

	dialled := map[string]int{}
	for _, call := range w.sim.Calls() {
		if call.Direction == "outbound-api" && call.To != "client:agent" {
			dialled[call.To]++
		}
	}
	if len(dialled) != 1 || dialled[alice] != 1 {
		t.Errorf("the simulator dialled %v; want Alice once and nobody else", dialled)
	}
}

// onlyTask returns agent's one open task, which must be for customer.
func onlyTask(t *testing.T, r *rig, agent, customer int64) Task {
	t.Helper()
	ts, err := r.store.Tasks(context.Background(), agent)
	if err != nil || len(ts) != 1 || ts[0].CustomerID != customer {
		t.Fatalf("agent %d's desk: %+v, %v; want one task for customer %d", agent, ts, err, customer)
	}
	return ts[0]
}

// checkContact checks customer's contact in campaign is in state with
// outcome.
func checkContact(t *testing.T, r *rig, campaign, customer int64, state, outcome string) {
	t.Helper()
	var st, out string
	err := r.pool.QueryRow(context.Background(), `SELECT state, outcome FROM campaign_contacts
		WHERE campaign_id = $1 AND customer_id = $2`, campaign, customer).Scan(&st, &out)
	if err != nil || st != state || out != outcome {
		t.Errorf("customer %d's contact %s/%q, %v; want %s/%q", customer, st, out, err, state, outcome)
	}
}
