package campaigns

import (
	"context"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twiliosim"
)

// TestAttemptsNeverExceedMax runs one contact of a progressive campaign
// through the dialer and the simulator hour by hour, with an agent who
// disposes every answered call as the case says, and proves the number is
// never called more often than the campaign's maximum. A callback is
// dialled at its time while the contact has attempts left; asked for at the
// last attempt, it is recorded (disposition and time kept) and the contact
// is finished without another call.
func TestAttemptsNeverExceedMax(t *testing.T) {
	tests := map[string]struct {
		answers     string   // how the number answers every call
		max         int      // the campaign's maximum attempts
		dispose     []string // the agent's disposition of each answered call, in order
		calls       int      // calls the number must get
		state       string   // the contact's final state
		disposition string
		outcome     string
		callbackAt  bool // callback_at stays on the contact, as a record
	}{
		"no answer uses every attempt":      {answers: "no-answer", max: 3, calls: 3, state: "failed", outcome: "no_answer"},
		"busy uses every attempt":           {answers: "busy", max: 2, calls: 2, state: "failed", outcome: "busy"},
		"interested on the first call":      {answers: "human", max: 3, dispose: []string{Interested}, calls: 1, state: "done", disposition: Interested, outcome: Interested},
		"callback with attempts left":       {answers: "human", max: 3, dispose: []string{Callback, Sale}, calls: 2, state: "done", disposition: Sale, outcome: Sale, callbackAt: true},
		"callback at the only attempt":      {answers: "human", max: 1, dispose: []string{Callback}, calls: 1, state: "done", disposition: Callback, outcome: OutcomeCallbackNoAttempts, callbackAt: true},
		"callback after every call":         {answers: "human", max: 3, dispose: []string{Callback, Callback, Callback, Callback}, calls: 3, state: "done", disposition: Callback, outcome: OutcomeCallbackNoAttempts, callbackAt: true},
		"callback at the last of two calls": {answers: "human", max: 2, dispose: []string{Callback, Callback}, calls: 2, state: "done", disposition: Callback, outcome: OutcomeCallbackNoAttempts, callbackAt: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			const number = "+8613900000042"
			answering := twiliosim.Answering{ByNumber: map[string]string{number: tc.answers}}
			w := newWorld(t, monday.Add(time.Hour), answering) // 09:00 in Shanghai
			r := w.rig("node-a", DialerConfig{})
			agent := addAgent(t, r.pool, "li.na", switchboard.RoleAgent)
			sup := &switchboard.Agent{ID: agent.ID, Role: switchboard.RoleSupervisor}
			addCustomer(t, r.pool, cust{name: "Chen Mei", phone: number})
			c := voiceCampaign("attempts", Progressive, []int64{agent.ID})
			c.Rules.MaxAttempts, c.Rules.RetryBusy, c.Rules.RetryNoAnswer = tc.max, time.Hour, time.Hour
			mustCreateScheduled(t, r, c)

			ctx := context.Background()
			dispose := tc.dispose
			for hour := range 10 {
				w.clock.Set(monday.Add(time.Duration(hour+1) * time.Hour))
				if _, err := r.dialer.Step(ctx); err != nil {
					t.Fatal(err)
				}
				settle(t, r.pool)
				var contact int64
				err := r.pool.QueryRow(ctx, `SELECT id FROM campaign_contacts WHERE campaign_id = $1 AND state = 'offered'`, c.ID).Scan(&contact)
				if err != nil || len(dispose) == 0 {
					continue // not answered this hour, or the agent has nothing more to say
				}
				d := Disposition{Code: dispose[0]}
				if d.Code == Callback {
					at := w.clock.Now().Add(90 * time.Minute)
					d.CallbackAt = &at
				}
				if err := r.store.Dispose(ctx, sup, contact, d); err != nil {
					t.Fatalf("hour %d: dispose %s: %v", hour, d.Code, err)
				}
				dispose = dispose[1:]
			}

			calls := 0
			for _, req := range w.sim.Requests() {
				if endsWith(req.Path, "/Calls.json") && req.Form.Get("To") == number {
					calls++
				}
			}
			var state, disposition, outcome string
			var attempts int
			var callbackAt *time.Time
			err := r.pool.QueryRow(ctx, `SELECT state, disposition, outcome, attempts, callback_at FROM campaign_contacts
				WHERE campaign_id = $1`, c.ID).Scan(&state, &disposition, &outcome, &attempts, &callbackAt)
			if err != nil {
				t.Fatal(err)
			}
			if calls > tc.max || attempts > tc.max {
				t.Errorf("%d calls placed, %d attempts recorded: over the maximum of %d", calls, attempts, tc.max)
			}
			if calls != tc.calls || attempts != tc.calls {
				t.Errorf("%d calls placed, %d attempts recorded; want %d", calls, attempts, tc.calls)
			}
			if state != tc.state || disposition != tc.disposition || outcome != tc.outcome || (callbackAt != nil) != tc.callbackAt {
				t.Errorf("contact %s, disposition %q, outcome %q, callback at %v; want %s, %q, %q, callback kept %v",
					state, disposition, outcome, callbackAt, tc.state, tc.disposition, tc.outcome, tc.callbackAt)
			}
		})
	}
}

// mustCreateScheduled stores c and schedules it, building its audience.
func mustCreateScheduled(t *testing.T, r *rig, c *Campaign) {
	t.Helper()
	if err := r.store.Create(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(context.Background(), c.ID, Scheduled); err != nil {
		t.Fatal(err)
	}
}
