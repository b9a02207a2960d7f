package agentdesk_test

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/campaigns"
	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
	"switchboard/channels/twiliovoice"
	"switchboard/routing"
)

// TestTaskDialThroughTheGates: the desk's dial places the task's call
// through the campaign dialer, once; a number on the do-not-call list is
// refused with the reason and not dialled.
func TestTaskDialThroughTheGates(t *testing.T) {
	c := newCentre(t, routing.Config{})
	sim := twiliosim.New(twiliosim.Config{AccountSID: "AC" + strings.Repeat("1", 32), AuthToken: "simtoken", Number: "+8610955880", Speed: 1000})
	api := httptest.NewServer(sim.Handler())
	t.Cleanup(api.Close)
	tw, err := twilio.NewClient(api.URL, "AC"+strings.Repeat("1", 32), "simtoken")
	if err != nil {
		t.Fatal(err)
	}
	hooks := httptest.NewServer(nil)
	t.Cleanup(hooks.Close)
	// A Wednesday morning in Shanghai: inside the default calling window.
	wed := time.Date(2026, 11, 25, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	store := campaigns.NewStore(c.pool, func() time.Time { return wed })
	c.dialer = campaigns.NewDialer(store, tw, twiliovoice.NewOutbound(hooks.URL, tw), campaigns.DialerConfig{Node: "test", CallerID: "+8610955880", PublicURL: hooks.URL},
		slog.New(slog.DiscardHandler))
	hooks.Config.Handler = c.dialer.Handler()
	n := c.node(agentdesk.Config{})

	rm, token := c.agent("wang", switchboard.RoleRM)
	ok := c.customer("Chen Mei", switchboard.TierPrivate, rm, "+8613800000071")
	dnc := c.customer("Zhao Lei", switchboard.TierVIP, rm, "+8613800000072")
	c.exec(`INSERT INTO dnc (phone, source, added_at) VALUES ('+8613800000072', 'test', now())`)
	task := func(cust int64) int64 {
		var id int64
		err := c.pool.QueryRow(t.Context(), `INSERT INTO outbound_tasks (kind, agent_id, customer_id, title, due_at, created_at)
			VALUES ('triggered_call', $1, $2, 'Large withdrawal', now(), now()) RETURNING id`, rm, cust).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	good, refused := task(ok), task(dnc)

	d := dial(t, n, token)
	d.expect("sync", nil)
	var r struct {
		AttemptID int64 `json:"attempt_id"`
	}
	if err := jsonUnmarshal(d.ok("task_dial", map[string]any{"task_id": good}), &r); err != nil || r.AttemptID == 0 {
		t.Fatalf("task_dial reply: %+v %v", r, err)
	}
	if f := d.call("task_dial", map[string]any{"task_id": good}); f.Type != "error" || f.Error.Code != "conflict" {
		t.Fatalf("second dial of the same task: %+v, want conflict", f)
	}
	f := d.call("task_dial", map[string]any{"task_id": refused})
	if f.Type != "error" || f.Error.Code != "conflict" || !strings.Contains(f.Error.Message, "dnc") {
		t.Fatalf("dial of a do-not-call number: %+v, want conflict naming dnc", f)
	}
	calls := sim.Calls()
	if len(calls) != 1 || calls[0].To != "+8613800000071" {
		t.Fatalf("simulator calls = %+v, want one to +8613800000071", calls)
	}
	if n := c.count(`SELECT count(*) FROM outreach_attempts WHERE task_id = $1 AND result = 'skipped'`, refused); n != 1 {
		t.Fatalf("%d skips recorded for the refused dial, want 1", n)
	}
}
