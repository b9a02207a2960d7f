package campaigns

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twiliosim"
)

func TestAudience(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, monday, twiliosim.Answering{})
	r := w.rig("node-a", DialerConfig{})
	rm := addAgent(t, r.pool, "rm.one", switchboard.RoleRM)
	add := func(name, tier, layer string, products ...string) int64 {
		return addCustomer(t, r.pool, cust{name: name, phone: phoneN(int(mustID(t, r.pool, `SELECT count(*) FROM customers`)) + 500),
			tier: tier, layer: layer, products: products})
	}
	add("vip-fund", "vip", "core", "fund", "deposit")
	add("vip-mortgage", "vip", "active", "mortgage")
	add("std", "standard", "active", "deposit")
	add("mass", "mass", "active", "deposit")
	add("dormant", "standard", "dormant", "deposit")
	rmID := add("rm-client", "private", "active", "deposit")
	mustExec(t, r.pool, `UPDATE customers SET rm_id = $2, region = 'shanghai' WHERE id = $1`, rmID, rm.ID)
	recent := add("recently-called", "standard", "core")
	mustExec(t, r.pool, `INSERT INTO interactions (channel, state, customer_id, created_at) VALUES ('voice', 'done', $1, $2)`, recent, monday.Add(-24*time.Hour))
	nosms := add("no-sms", "vip", "core")
	mustExec(t, r.pool, `UPDATE customers SET opt_out_sms = true WHERE id = $1`, nosms)
	before := monday.Add(-7 * 24 * time.Hour)
	tests := map[string]struct {
		a       Audience
		channel switchboard.Channel
		want    []string
	}{
		"default leaves out mass and dormant": {want: []string{"no-sms", "recently-called", "rm-client", "std", "vip-fund", "vip-mortgage"}},
		"asks for mass and dormant":           {a: Audience{Tiers: []switchboard.ValueTier{"mass", "standard"}, Layers: []switchboard.ActivityLayer{"dormant", "active"}}, want: []string{"dormant", "mass", "std"}},
		"vip holding a fund":                  {a: Audience{Tiers: []switchboard.ValueTier{"vip"}, ProductsHeld: []string{"fund"}}, want: []string{"vip-fund"}},
		"without a mortgage":                  {a: Audience{Tiers: []switchboard.ValueTier{"vip"}, ProductsNotHeld: []string{"mortgage"}}, want: []string{"no-sms", "vip-fund"}},
		"by relationship manager and region":  {a: Audience{RMIDs: []int64{rm.ID}, Regions: []string{"shanghai"}}, want: []string{"rm-client"}},
		"not contacted for a week":            {a: Audience{Tiers: []switchboard.ValueTier{"standard"}, LastContactedBefore: &before}, want: []string{"std"}},
		"sms leaves out the opted out":        {a: Audience{Tiers: []switchboard.ValueTier{"vip"}}, channel: switchboard.ChannelSMS, want: []string{"vip-fund", "vip-mortgage"}},
		"uploaded list":                       {a: Audience{CustomerIDs: []int64{rmID, recent}}, want: []string{"recently-called", "rm-client"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := voiceCampaign(name, Progressive, []int64{rm.ID})
			c.Audience = tc.a
			if tc.channel == switchboard.ChannelSMS {
				c.Channel, c.Template = tc.channel, "Hi {name}"
			}
			if err := r.store.Create(ctx, c); err != nil {
				t.Fatal(err)
			}
			if _, err := r.store.Move(ctx, c.ID, Scheduled); err != nil {
				t.Fatal(err)
			}
			rows, _ := r.pool.Query(ctx, `SELECT u.name FROM campaign_contacts k JOIN customers u ON u.id = k.customer_id
				WHERE k.campaign_id = $1 ORDER BY u.name`, c.ID)
			var got []string
			for rows.Next() {
				var n string
				rows.Scan(&n)
				got = append(got, n)
			}
			rows.Close()
			if !slices.Equal(got, tc.want) {
				t.Errorf("audience %v, want %v", got, tc.want)
			}
			// Cancelled, the campaign no longer holds its customers.
			if _, err := r.store.Move(ctx, c.ID, Cancelled); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCampaignValidation(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, monday, twiliosim.Answering{})
	r := w.rig("node-a", DialerConfig{})
	ok := func() *Campaign { return voiceCampaign("x", Progressive, []int64{1}) }
	tests := map[string]func(c *Campaign){
		"no name":             func(c *Campaign) { c.Name = " " },
		"chat channel":        func(c *Campaign) { c.Channel = switchboard.ChannelChat },
		"sms no template":     func(c *Campaign) { c.Channel = switchboard.ChannelSMS },
		"bad mode":            func(c *Campaign) { c.DialMode = "robo" },
		"no agents or queue":  func(c *Campaign) { c.AgentIDs = nil },
		"ends before start":   func(c *Campaign) { c.EndsAt = c.StartsAt.Add(-time.Hour) },
		"unknown placeholder": func(c *Campaign) { c.Script = "Hello {balance}" },
		"window backwards":    func(c *Campaign) { c.Window = Window{Start: 1200, End: 540, Days: []time.Weekday{1}} },
		"no attempts":         func(c *Campaign) { c.Rules.MaxAttempts = 0 },
		"cap too high":        func(c *Campaign) { c.Rules.AbandonCap = 0.5 },
		"unknown tier":        func(c *Campaign) { c.Audience.Tiers = []switchboard.ValueTier{"gold"} },
		"voicemail no text":   func(c *Campaign) { c.Rules.MachineAction = "voicemail" },
		"caller id not E.164": func(c *Campaign) { c.CallerID = "BANK<script>" },
		"caller id national":  func(c *Campaign) { c.CallerID = "95588" },
	}
	for name, spoil := range tests {
		t.Run(name, func(t *testing.T) {
			c := ok()
			spoil(c)
			if err := r.store.Create(ctx, c); !isKind(err, switchboard.ErrInvalid) {
				t.Errorf("Create = %v, want ErrInvalid", err)
			}
		})
	}
	var n int
	r.pool.QueryRow(ctx, `SELECT count(*) FROM campaigns`).Scan(&n)
	if n != 0 {
		t.Errorf("%d campaigns stored from bad input", n)
	}
	c := ok()
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(ctx, c.ID, Completed); !isKind(err, switchboard.ErrConflict) {
		t.Errorf("draft to completed: %v, want ErrConflict", err)
	}
}

// TestEmptyAudienceStaysDraft: a campaign whose audience matches nobody
// cannot be scheduled (and so never started); it stays a draft with its
// filters to correct, and says why.
func TestEmptyAudienceStaysDraft(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, monday, twiliosim.Answering{})
	r := w.rig("node-a", DialerConfig{})
	c := voiceCampaign("nobody", Progressive, []int64{1})
	c.Audience = Audience{Regions: []string{"atlantis"}}
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	_, err := r.store.Move(ctx, c.ID, Scheduled)
	if !errors.Is(err, switchboard.ErrConflict) || !strings.Contains(err.Error(), "no contacts") {
		t.Fatalf("scheduling an empty audience: %v, want a conflict saying it has no contacts", err)
	}
	got, err := r.store.Get(ctx, c.ID)
	if err != nil || got.State != Draft {
		t.Fatalf("after the refusal the campaign is %v (%v), want draft", got.State, err)
	}
	if _, err := r.store.Move(ctx, c.ID, Running); err == nil {
		t.Fatal("a draft with no contacts was started")
	}
}
