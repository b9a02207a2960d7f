package campaigns

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels/twiliosim"
	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

func TestGate(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	// Monday 7 December 2026, 03:00 UTC: 11:00 in Shanghai, 03:00 in
	// London, 22:00 on Sunday in New York.
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	running := &Campaign{ID: 0, State: Running, Window: DefaultWindow(), Rules: DefaultRules()}
	paused := &Campaign{State: Paused, Window: DefaultWindow(), Rules: DefaultRules()}
	mustExec(t, pool, `INSERT INTO dnc (phone, source, added_at) VALUES ('+8613900000002', 'test', now())`)
	mustExec(t, pool, `INSERT INTO holidays (day, region, name) VALUES ('2026-12-07', 'hk', 'test holiday')`)
	tests := map[string]struct {
		c       cust
		setup   string // SQL run with $1 = the customer's id
		channel switchboard.Channel
		camp    *Campaign
		tries   int
		service bool
		want    Reason
	}{
		"shanghai in window":      {c: cust{phone: "+8613900000001"}, camp: running, want: ReasonNone},
		"dnc list":                {c: cust{phone: "+8613900000002"}, camp: running, want: ReasonDNC},
		"customer do not call":    {c: cust{phone: "+8613900000003"}, setup: `UPDATE customers SET do_not_call = true WHERE id = $1`, camp: running, want: ReasonDoNotCall},
		"opted out of calls":      {c: cust{phone: "+8613900000004"}, setup: `UPDATE customers SET opt_out_call = true WHERE id = $1`, camp: running, want: ReasonOptedOut},
		"sms 退订 by number":        {c: cust{phone: "+8613900000005"}, setup: `INSERT INTO consent_changes (phone, kind, opted_out, source, at) SELECT phone, 'sms', true, 'sms:退订', now() FROM customers WHERE id = $1`, channel: switchboard.ChannelSMS, camp: running, want: ReasonOptedOut},
		"sms stop leaves calls":   {c: cust{phone: "+8613900000006"}, setup: `INSERT INTO consent_changes (phone, kind, opted_out, source, at) SELECT phone, 'sms', true, 'sms:STOP', now() FROM customers WHERE id = $1`, camp: running, want: ReasonNone},
		"london at 3 am":          {c: cust{phone: "+447700900001", zone: "Europe/London"}, camp: running, want: ReasonOutsideWindow},
		"new york sunday night":   {c: cust{phone: "+12025550101", zone: "America/New_York"}, camp: running, want: ReasonOutsideWindow},
		"regional holiday":        {c: cust{phone: "+85290000001", zone: "Asia/Hong_Kong"}, setup: `UPDATE customers SET region = 'hk' WHERE id = $1`, camp: running, want: ReasonHoliday},
		"campaign paused":         {c: cust{phone: "+8613900000007"}, camp: paused, want: ReasonNotRunning},
		"attempts used up":        {c: cust{phone: "+8613900000008"}, camp: running, tries: 3, want: ReasonMaxAttempts},
		"frequency cap":           {c: cust{phone: "+8613900000009"}, setup: `INSERT INTO outreach_attempts (customer_id, channel, marketing, at, result) VALUES ($1, 'sms', true, '2026-12-05 03:00Z', 'delivered')`, camp: running, want: ReasonFrequencyCap},
		"cap is marketing only":   {c: cust{phone: "+8613900000010"}, setup: `INSERT INTO outreach_attempts (customer_id, channel, marketing, at, result) VALUES ($1, 'voice', false, '2026-12-05 03:00Z', 'connected')`, camp: running, want: ReasonNone},
		"service call not capped": {c: cust{phone: "+8613900000011"}, setup: `INSERT INTO outreach_attempts (customer_id, channel, marketing, at, result) VALUES ($1, 'sms', true, '2026-12-06 03:00Z', 'sent')`, service: true, want: ReasonNone},
		"live dial elsewhere":     {c: cust{phone: "+8613900000012"}, setup: `INSERT INTO outreach_attempts (customer_id, channel, marketing, at, result, live) VALUES ($1, 'voice', false, now(), 'dialing', true)`, camp: running, want: ReasonInProgress},
		"no phone":                {c: cust{}, camp: running, want: ReasonNoPhone},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tc.c.name = name
			id := addCustomer(t, pool, tc.c)
			if tc.setup != "" {
				mustExec(t, pool, tc.setup, id)
			}
			if tc.channel == "" {
				tc.channel = switchboard.ChannelVoice
			}
			req := Request{CustomerID: id, Phone: tc.c.phone, Channel: tc.channel, Marketing: !tc.service, Campaign: tc.camp, Attempts: tc.tries}
			if tc.service {
				req.Campaign = nil
			}
			var got Reason
			err := pgdb.InTx(ctx, pool, func(tx pgx.Tx) error {
				var err error
				got, err = DefaultGate().Check(ctx, tx, now, req)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWindowNext(t *testing.T) {
	w := DefaultWindow()
	tests := map[string]struct {
		at   time.Time
		zone string
		want time.Time
	}{
		"open now":            {time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC), "Asia/Shanghai", time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)},
		"shanghai early":      {time.Date(2026, 12, 7, 0, 30, 0, 0, time.UTC), "Asia/Shanghai", time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)},
		"shanghai at 20:00":   {time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC), "Asia/Shanghai", time.Date(2026, 12, 8, 1, 0, 0, 0, time.UTC)},
		"saturday evening":    {time.Date(2026, 12, 12, 12, 30, 0, 0, time.UTC), "Asia/Shanghai", time.Date(2026, 12, 14, 1, 0, 0, 0, time.UTC)},
		"new york sunday":     {time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC), "America/New_York", time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)},
		"london summer time":  {time.Date(2026, 7, 6, 5, 0, 0, 0, time.UTC), "Europe/London", time.Date(2026, 7, 6, 8, 0, 0, 0, time.UTC)},
		"last minute is open": {time.Date(2026, 12, 7, 11, 59, 0, 0, time.UTC), "Asia/Shanghai", time.Date(2026, 12, 7, 11, 59, 0, 0, time.UTC)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			loc, err := Zone(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Next(tc.at, loc, "", nil); !got.Equal(tc.want) {
				t.Errorf("Next(%v) = %v, want %v", tc.at, got.UTC(), tc.want)
			}
		})
	}
}

// TestDialsTheNumberItGates: a customer whose phone changed after the
// audience was built is dialled, and gated, on the number held now, never
// the one the audience copied; a new number on the DNC list is refused; and
// a do-not-call disposition lists the number that was dialled.
func TestDialsTheNumberItGates(t *testing.T) {
	ctx := context.Background()
	oldX, newX, oldY, newY := "+8613966660001", "+8613966660002", "+8613966660003", "+8613966660004"
	w := newWorld(t, monday.Add(2*time.Hour), twiliosim.Answering{ByNumber: map[string]string{
		oldX: "human", newX: "human", oldY: "human", newY: "human"}})
	r := w.rig("node-a", DialerConfig{})
	agent := addAgent(t, r.pool, "number.agent", switchboard.RoleAgent)
	x := addCustomer(t, r.pool, cust{name: "X", phone: oldX})
	y := addCustomer(t, r.pool, cust{name: "Y", phone: oldY})
	c := voiceCampaign("changed numbers", Progressive, []int64{agent.ID})
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(ctx, c.ID, Scheduled); err != nil {
		t.Fatal(err)
	}
	mustExec(t, r.pool, `UPDATE customers SET phone = $2 WHERE id = $1`, x, newX)
	mustExec(t, r.pool, `INSERT INTO dnc (phone, source, added_at) VALUES ($1, 'test', now())`, newX)
	mustExec(t, r.pool, `UPDATE customers SET phone = $2 WHERE id = $1`, y, newY)
	for range 2 {
		if _, err := r.dialer.Step(ctx); err != nil {
			t.Fatal(err)
		}
		settle(t, r.pool)
	}
	dialled := map[string]int{}
	for _, call := range w.sim.Calls() {
		if call.Direction == "outbound-api" && call.To != "client:agent" {
			dialled[call.To]++
		}
	}
	if len(dialled) != 1 || dialled[newY] != 1 {
		t.Fatalf("dialled %v; want only Y's new number %s, once", dialled, newY)
	}
	checkContact(t, r, c.ID, x, "failed", string(ReasonDNC))
	var skipped string
	r.pool.QueryRow(ctx, `SELECT phone FROM outreach_attempts WHERE customer_id = $1 AND result = 'skipped'`, x).Scan(&skipped)
	if skipped != newX {
		t.Errorf("X's skip recorded for %q; want the number gated, %s", skipped, newX)
	}
	contact := mustID(t, r.pool, `SELECT id FROM campaign_contacts WHERE customer_id = $1`, y)
	sup := &switchboard.Agent{ID: agent.ID, Role: switchboard.RoleSupervisor}
	if err := r.store.Dispose(ctx, sup, contact, Disposition{Code: DoNotCall}); err != nil {
		t.Fatal(err)
	}
	var listed string
	r.pool.QueryRow(ctx, `SELECT string_agg(phone, ',') FROM dnc WHERE phone IN ($1, $2)`, oldY, newY).Scan(&listed)
	if listed != newY {
		t.Errorf("do-not-call listed %q; want the number dialled, %s", listed, newY)
	}
}
