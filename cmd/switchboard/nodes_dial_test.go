package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twiliosim"
)

// TestTwoProcessesDialEachContactOnce runs a progressive campaign on two
// OS processes of the server at once, each with its own dialer ticking on
// its own, and proves the contact claim is atomic between processes: both
// dial, and no number is dialled twice. Every line is busy, so nothing
// reaches the agents and each contact's one attempt ends at once.
func TestTwoProcessesDialEachContactOnce(t *testing.T) {
	const contacts = 40
	c := startNodesAnswering(t, &twiliosim.Answering{Busy: 1})
	_, marketing := c.staff(t, c.a, "mia", switchboard.RoleMarketing)
	var agentIDs []int64
	for i := range 6 {
		p := []*process{c.a, c.b}[i%2]
		id, token := c.staff(t, p, fmt.Sprintf("dialer%d", i), switchboard.RoleAgent)
		dialDesk(t, p, token).ok("set_state", map[string]any{"state": "available"}, nil)
		agentIDs = append(agentIDs, id)
	}
	for i := range contacts {
		c.exec(t, `INSERT INTO customers (name, phone, value_tier) VALUES ($1, $2, 'vip')`,
			fmt.Sprintf("Customer %d", i), fmt.Sprintf("+86139%08d", 50000+i))
	}

	now := time.Now().UTC()
	code, body := do(t, "POST", c.a.base+"/api/v1/campaigns", marketing, map[string]any{
		"name": "two processes", "channel": "voice", "dial_mode": "progressive", "agent_ids": agentIDs,
		"starts_at": now.Add(-time.Minute), "ends_at": now.Add(time.Hour),
		// Any hour of any day, so the test does not depend on when it runs.
		"window": map[string]any{"start_minute": 0, "end_minute": 24 * 60, "days": []int{0, 1, 2, 3, 4, 5, 6}},
		"rules": map[string]any{"max_attempts": 1, "retry_no_answer_s": 3600, "retry_busy_s": 3600,
			"retry_machine_s": 3600, "machine_action": "retry", "abandon_cap": 0.03, "sms_per_minute": 600},
		"audience": map[string]any{"tiers": []string{"vip"}},
	})
	if code != 201 {
		t.Fatalf("create campaign: %d %v", code, body)
	}
	id := int64(body["id"].(float64))
	if code, body := do(t, "POST", fmt.Sprintf("%s/api/v1/campaigns/%d/state", c.b.base, id), marketing,
		map[string]string{"state": "scheduled"}); code != 200 {
		t.Fatalf("schedule: %d %v", code, body)
	}

	ctx := context.Background()
	var attempts int
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		c.pool.QueryRow(ctx, `SELECT count(*) FROM outreach_attempts WHERE campaign_id = $1 AND result <> 'skipped'`, id).Scan(&attempts)
		if attempts >= contacts {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d contacts dialled", attempts, contacts)
		}
	}
	time.Sleep(2 * time.Second) // a second dial of anyone would show by now

	dialled := map[string]int{}
	for _, req := range c.sim.Requests() {
		if req.Method == "POST" && strings.HasSuffix(req.Path, "/Calls.json") {
			dialled[req.Form.Get("To")]++
		}
	}
	for number, n := range dialled {
		if n > 1 {
			t.Errorf("%s dialled %d times", number, n)
		}
	}
	var nodes, total, over int
	c.pool.QueryRow(ctx, `SELECT count(DISTINCT node), count(*) FROM outreach_attempts
		WHERE campaign_id = $1 AND result <> 'skipped'`, id).Scan(&nodes, &total)
	c.pool.QueryRow(ctx, `SELECT count(*) FROM campaign_contacts WHERE campaign_id = $1 AND attempts > 1`, id).Scan(&over)
	if len(dialled) != contacts || total != contacts || over != 0 {
		t.Errorf("%d numbers dialled, %d attempts, %d contacts over the maximum; want %d, %d, 0",
			len(dialled), total, over, contacts, contacts)
	}
	if nodes != 2 {
		t.Errorf("%d processes dialled, want both", nodes)
	}
}
