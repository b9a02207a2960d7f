package campaigns

import (
	"context"
	"strings"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twiliosim"
)

// TestSMSCampaign sends a personalised SMS campaign at 60 texts a minute on
// a virtual clock: it keeps the rate, texts nobody who sent 退订 after the
// audience was built, and tracks delivery from the simulator's callbacks.
func TestSMSCampaign(t *testing.T) {
	ctx := context.Background()
	start := monday.Add(3 * time.Hour) // 11:00 in Shanghai
	w := newWorld(t, start, twiliosim.Answering{})
	r := w.rig("node-a", DialerConfig{})
	for i := range 30 {
		addCustomer(t, r.pool, cust{name: "Wang " + string(rune('A'+i)), phone: phoneN(2000 + i)})
	}
	stop := phoneN(2007)
	c := &Campaign{Name: "year-end rates", Channel: switchboard.ChannelSMS, Template: "{name}：三年期存款利率上调，详询客户经理。回复TD退订",
		StartsAt: monday, EndsAt: monday.Add(48 * time.Hour)}
	c.Rules = DefaultRules()
	c.Rules.SMSPerMinute = 60
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(ctx, c.ID, Scheduled); err != nil {
		t.Fatal(err)
	}
	mustExec(t, r.pool, `INSERT INTO consent_changes (phone, kind, opted_out, source, at) VALUES ($1, 'sms', true, 'sms:退订', now())`, stop)
	texts := func() []twiliosim.Request {
		var out []twiliosim.Request
		for _, q := range w.sim.Requests() {
			if strings.HasSuffix(q.Path, "/Messages.json") {
				out = append(out, q)
			}
		}
		return out
	}
	for step := range 8 {
		if _, err := r.dialer.Step(ctx); err != nil {
			t.Fatal(err)
		}
		// At 60 a minute, by virtual second s at most s+11 have gone
		// (ten seconds of rate may be made up).
		if sent, limit := len(texts()), step*5+11; sent > limit {
			t.Fatalf("after %d s, %d texts sent; the rate allows %d", step*5, sent, limit)
		}
		w.clock.Advance(5 * time.Second)
	}
	sent := texts()
	if len(sent) != 29 {
		t.Fatalf("%d texts sent, want 29", len(sent))
	}
	for _, q := range sent {
		if q.Form.Get("To") == stop {
			t.Errorf("texted %s after 退订", stop)
		}
		if body := q.Form.Get("Body"); !strings.HasPrefix(body, "Wang ") || strings.Contains(body, "{") {
			t.Errorf("body %q not personalised", body)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	var delivered, skipped int
	for time.Now().Before(deadline) && delivered < 29 {
		r.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE result = 'delivered'), count(*) FILTER (WHERE reason = 'opted_out')
			FROM outreach_attempts WHERE campaign_id = $1`, c.ID).Scan(&delivered, &skipped)
		time.Sleep(20 * time.Millisecond)
	}
	if delivered != 29 || skipped != 1 {
		t.Errorf("%d delivered, %d skipped as opted out; want 29 and 1", delivered, skipped)
	}
	var msgs int
	r.pool.QueryRow(ctx, `SELECT count(*) FROM messages m JOIN interactions i ON i.id = m.interaction_id
		WHERE i.channel = 'sms' AND i.direction = 'outbound' AND m.direction = 'outbound'`).Scan(&msgs)
	if msgs != 29 {
		t.Errorf("%d outbound messages in customers' SMS interactions, want 29", msgs)
	}
}

// TestThrottledCampaignTextIsSent: Twilio throttles the campaign's first
// texts (429, error 20429); the client waits and sends them again, so
// every contact is texted once and no attempt fails.
func TestThrottledCampaignTextIsSent(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, monday.Add(3*time.Hour), twiliosim.Answering{})
	r := w.rig("node-a", DialerConfig{})
	for i := range 3 {
		addCustomer(t, r.pool, cust{name: "Li " + string(rune('A'+i)), phone: phoneN(3000 + i)})
	}
	c := &Campaign{Name: "card renewal", Channel: switchboard.ChannelSMS, Template: "{name}：您的新卡已寄出。回复TD退订",
		StartsAt: monday, EndsAt: monday.Add(48 * time.Hour)}
	c.Rules = DefaultRules()
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(ctx, c.ID, Scheduled); err != nil {
		t.Fatal(err)
	}
	w.sim.Throttle(2, 0)
	if _, err := r.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	texts := map[string]int{}
	for _, q := range w.sim.Requests() {
		if q.Method == "POST" && strings.HasSuffix(q.Path, "/Messages.json") {
			texts[q.Form.Get("To")]++
		}
	}
	var failed, sent int
	r.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE result = 'failed'), count(*) FILTER (WHERE result IN ('sent', 'delivered'))
		FROM outreach_attempts WHERE campaign_id = $1`, c.ID).Scan(&failed, &sent)
	if len(texts) != 3 || failed != 0 || sent != 3 {
		t.Fatalf("texts carried %v, %d attempts failed, %d sent; want each of 3 contacts texted once, none failed", texts, failed, sent)
	}
	for to, n := range texts {
		if n != 1 {
			t.Errorf("%s texted %d times", to, n)
		}
	}
}
