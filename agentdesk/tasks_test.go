package agentdesk_test

import (
	"testing"
	"time"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/routing"
)

type taskList struct {
	Tasks []struct {
		ID           int64     `json:"id"`
		CustomerID   int64     `json:"customer_id"`
		CustomerName string    `json:"customer_name"`
		Tier         string    `json:"tier"`
		Title        string    `json:"title"`
		DueAt        time.Time `json:"due_at"`
		State        string    `json:"state"`
	} `json:"tasks"`
}

// TestTasksPushedToTheDeskOnAnyNode: a task written on one node (here
// straight into Postgres, as a rule or the preview dialer does) reaches the
// RM's desks on every node, is in the sync after a reconnect, opens the
// customer view with an audit row, and leaves the list when its outcome is
// recorded, with the lead.
func TestTasksPushedToTheDeskOnAnyNode(t *testing.T) {
	c := newCentre(t, routing.Config{})
	a, b := c.node(agentdesk.Config{}), c.node(agentdesk.Config{})
	rm, token := c.agent("wang", switchboard.RoleRM)
	_, other := c.agent("li", switchboard.RoleAgent)
	cust := c.customer("Chen Mei", switchboard.TierPrivate, rm, "+8613800000077")

	d1, d2 := dial(t, a, token), dial(t, b, token)
	var s taskList
	d1.expect("sync", &s)
	d2.expect("sync", nil)
	if len(s.Tasks) != 0 {
		t.Fatalf("sync tasks = %+v, want none", s.Tasks)
	}

	due := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	var task int64
	err := c.pool.QueryRow(t.Context(), `INSERT INTO outbound_tasks (kind, agent_id, customer_id, title, due_at, created_at)
		VALUES ('triggered_call', $1, $2, 'Large withdrawal', $3, now()) RETURNING id`, rm, cust, due).Scan(&task)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []*desk{d1, d2} {
		var l taskList
		d.expect("tasks", &l)
		if len(l.Tasks) != 1 || l.Tasks[0].ID != task || l.Tasks[0].Tier != "private" || l.Tasks[0].CustomerName != "Chen Mei" ||
			!l.Tasks[0].DueAt.Equal(due) || l.Tasks[0].Title != "Large withdrawal" {
			t.Fatalf("tasks push = %+v", l.Tasks)
		}
	}

	// A reconnect on another node gets the task in its sync.
	d3 := dial(t, b, token)
	var s3 taskList
	d3.expect("sync", &s3)
	if len(s3.Tasks) != 1 || s3.Tasks[0].ID != task {
		t.Fatalf("sync after reconnect = %+v", s3.Tasks)
	}

	raw := d1.ok("task_view", map[string]any{"task_id": task})
	var view struct {
		Task struct {
			ID int64 `json:"id"`
		} `json:"task"`
		Pop struct {
			Customer *struct {
				Customer struct {
					Name string `json:"name"`
				} `json:"customer"`
			} `json:"customer"`
		} `json:"pop"`
	}
	if err := jsonUnmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	if view.Task.ID != task || view.Pop.Customer == nil || view.Pop.Customer.Customer.Name != "Chen Mei" {
		t.Fatalf("task_view = %s", raw)
	}
	if n := c.count(`SELECT count(*) FROM audit_log WHERE agent_id = $1 AND customer_id = $2 AND reason = 'outbound_task'`, rm, cust); n != 1 {
		t.Fatalf("%d outbound_task audit rows, want 1", n)
	}

	// Another agent can neither see nor close the RM's task.
	od := dial(t, a, other)
	od.expect("sync", nil)
	for _, typ := range []string{"task_view", "task_outcome"} {
		data := map[string]any{"task_id": task}
		if typ == "task_outcome" {
			data["code"] = "interested"
		}
		if f := od.call(typ, data); f.Type != "error" || f.Error.Code != "not_found" {
			t.Fatalf("%s by another agent: %+v", typ, f)
		}
	}

	bad := map[string]map[string]any{
		"no task":          {"code": "sale"},
		"unknown code":     {"task_id": task, "code": "maybe"},
		"unknown field":    {"task_id": task, "code": "sale", "colour": "red"},
		"callback no time": {"task_id": task, "code": "callback"},
	}
	for name, data := range bad {
		t.Run(name, func(t *testing.T) {
			if f := d1.call("task_outcome", data); f.Type != "error" || f.Error.Code != "invalid" {
				t.Fatalf("got %+v, want invalid", f)
			}
		})
	}
	if n := c.count(`SELECT count(*) FROM outbound_tasks WHERE id = $1 AND state = 'open'`, task); n != 1 {
		t.Fatal("a refused outcome changed the task")
	}

	d1.ok("task_outcome", map[string]any{"task_id": task, "code": "interested", "note": "money is for her daughter's flat",
		"lead": map[string]any{"product": "mortgage", "prospect_name": "Chen Jing", "relation": "daughter"}})
	var after taskList
	d2.expect("tasks", &after)
	if len(after.Tasks) != 0 {
		t.Fatalf("tasks after the outcome = %+v, want none", after.Tasks)
	}
	if n := c.count(`SELECT count(*) FROM leads WHERE customer_id = $1 AND product = 'mortgage' AND task_id = $2`, cust, task); n != 1 {
		t.Fatalf("%d leads, want 1", n)
	}
	if f := d1.call("task_outcome", map[string]any{"task_id": task, "code": "sale"}); f.Type != "error" || f.Error.Code != "conflict" {
		t.Fatalf("second outcome: %+v, want conflict", f)
	}
}

// TestSyncCarriesPresence: after a reconnect the desk learns the agent's
// own state and break reason, so the selector shows the truth.
func TestSyncCarriesPresence(t *testing.T) {
	c := newCentre(t, routing.Config{})
	a, b := c.node(agentdesk.Config{}), c.node(agentdesk.Config{})
	_, token := c.agent("li", switchboard.RoleAgent)
	type pres struct {
		Presence struct {
			State  string `json:"state"`
			Reason string `json:"reason"`
		} `json:"presence"`
	}
	d := dial(t, a, token)
	var s pres
	d.expect("sync", &s)
	if s.Presence.State != "offline" {
		t.Fatalf("first sync presence = %+v, want offline", s.Presence)
	}
	d.ok("set_state", map[string]any{"state": "break", "reason": "lunch"})
	d2 := dial(t, b, token)
	var s2 pres
	d2.expect("sync", &s2)
	if s2.Presence.State != "break" || s2.Presence.Reason != "lunch" {
		t.Fatalf("sync presence after reconnect = %+v, want break/lunch", s2.Presence)
	}
}

// TestWallboardCampaignFigures: a supervisor's wallboard carries each
// running campaign's dialled, connected, abandoned, conversions and
// remaining, and leaves out campaigns that are not running.
func TestWallboardCampaignFigures(t *testing.T) {
	c := newCentre(t, routing.Config{})
	n := c.node(agentdesk.Config{Wallboard: 100 * time.Millisecond})
	_, token := c.agent("sun", switchboard.RoleSupervisor)
	var running int64
	err := c.pool.QueryRow(t.Context(), `INSERT INTO campaigns (name, channel, state, dial_mode, starts_at, ends_at, created_at, updated_at)
		VALUES ('Deposit renewal', 'voice', 'running', 'predictive', now(), now() + interval '7 days', now(), now()) RETURNING id`).Scan(&running)
	if err != nil {
		t.Fatal(err)
	}
	c.exec(`INSERT INTO campaigns (name, channel, state, starts_at, ends_at, created_at, updated_at)
		VALUES ('Draft one', 'sms', 'draft', now(), now() + interval '7 days', now(), now())`)
	// Five contacts: a sale, an interested, one abandoned call waiting for
	// its retry, two not yet dialled.
	outcomes := []struct{ state, disposition, result string }{
		{"done", "sale", "connected"}, {"done", "interested", "connected"}, {"pending", "", "abandoned"},
		{"pending", "", ""}, {"pending", "", ""},
	}
	for i, o := range outcomes {
		cust := c.customer("Customer", switchboard.TierStandard, 0, "+86138000001"+string(rune('0'+i)))
		var contact int64
		err := c.pool.QueryRow(t.Context(), `INSERT INTO campaign_contacts (campaign_id, customer_id, phone, state, disposition, next_at, updated_at)
			VALUES ($1, $2, 'x', $3, $4, now(), now()) RETURNING id`, running, cust, o.state, o.disposition).Scan(&contact)
		if err != nil {
			t.Fatal(err)
		}
		if o.result != "" {
			c.exec(`INSERT INTO outreach_attempts (campaign_id, contact_id, customer_id, channel, marketing, at, result, answered_by, answered_at)
				VALUES ($1, $2, $3, 'voice', true, now(), $4, 'human', now())`, running, contact, cust, o.result)
		}
	}

	d := dial(t, n, token)
	var b struct {
		Campaigns []struct {
			ID          int64   `json:"id"`
			Name        string  `json:"name"`
			Dialled     int     `json:"dialled"`
			Connected   int     `json:"connected"`
			Abandoned   int     `json:"abandoned"`
			AbandonRate float64 `json:"abandon_rate"`
			Conversions int     `json:"conversions"`
			Remaining   int     `json:"remaining"`
		} `json:"campaigns"`
	}
	d.expect("wallboard", &b)
	if len(b.Campaigns) != 1 {
		t.Fatalf("wallboard campaigns = %+v, want the running one", b.Campaigns)
	}
	got := b.Campaigns[0]
	if got.ID != running || got.Name != "Deposit renewal" || got.Dialled != 3 || got.Connected != 2 || got.Abandoned != 1 ||
		got.Conversions != 1 || got.Remaining != 3 || got.AbandonRate < 0.33 || got.AbandonRate > 0.34 {
		t.Fatalf("campaign figures = %+v", got)
	}
}
