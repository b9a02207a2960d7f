package campaigns

import (
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twiliosim"
)

// monday is Monday 7 December 2026, midnight UTC: 08:00 in Shanghai,
// midnight in London, 19:00 on Sunday in New York.
var monday = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

func voiceCampaign(name string, mode DialMode, agents []int64) *Campaign {
	r := DefaultRules()
	r.RetryBusy, r.RetryNoAnswer, r.RetryMachine = 30*time.Minute, time.Hour, 2*time.Hour
	return &Campaign{Name: name, Channel: switchboard.ChannelVoice, DialMode: mode, AgentIDs: agents,
		StartsAt: monday, EndsAt: monday.Add(4 * 24 * time.Hour), Rules: r, Script: "您好{name}，我是{rm}"}
}

// TestCampaignAgainstSimulator runs a progressive campaign over three time
// zones for three virtual days against the Twilio simulator, whose callees
// answer, are busy, have machines or do not answer, and proves the rules.
func TestCampaignAgainstSimulator(t *testing.T) {
	ctx := context.Background()
	outcomes := []string{"human", "busy", "machine", "no-answer"}
	answering := twiliosim.Answering{ByNumber: map[string]string{}}
	w := newWorld(t, monday, answering)
	r := w.rig("node-a", DialerConfig{})
	pool := r.pool
	var agents []int64
	for _, n := range []string{"li.na", "wang.wei", "zhang.min"} {
		agents = append(agents, addAgent(t, pool, n, switchboard.RoleAgent).ID)
	}
	zones := []string{"Asia/Shanghai", "Europe/London", "America/New_York"}
	good := map[string]string{} // phone → zone
	for i := range 36 {
		p := phoneN(i)
		good[p] = zones[i%3]
		answering.ByNumber[p] = outcomes[(i/3)%4]
		addCustomer(t, pool, cust{name: "good", phone: p, zone: zones[i%3]})
	}
	// Numbers that must never be dialled, whether the audience left them
	// out or the gates caught a change made after it was built.
	forbidden := map[string]string{}
	later := map[string]string{
		"+8613800000001": `INSERT INTO dnc (phone, source, added_at) SELECT $2, 'test', now() WHERE $1::bigint > 0`,
		"+8613800000002": `UPDATE customers SET do_not_call = true WHERE id = $1 AND $2::text <> ''`,
		"+8613800000003": `UPDATE customers SET opt_out_call = true WHERE id = $1 AND $2::text <> ''`,
		"+8613800000004": `INSERT INTO consent_changes (customer_id, phone, kind, opted_out, source, at) VALUES ($1, $2, 'call', true, 'agent:1', now())`,
	}
	ids := map[string]int64{}
	for p := range later {
		ids[p] = addCustomer(t, pool, cust{name: "changes mind", phone: p})
		answering.ByNumber[p], forbidden[p] = "human", "gate"
	}
	mustExec(t, pool, `INSERT INTO dnc (phone, source, added_at) VALUES ('+8613800000005', 'test', now())`)
	addCustomer(t, pool, cust{name: "listed", phone: "+8613800000005"})
	addCustomer(t, pool, cust{name: "mass", phone: "+8613800000006", tier: "mass"})
	addCustomer(t, pool, cust{name: "dormant", phone: "+8613800000007", layer: "dormant"})
	other := addCustomer(t, pool, cust{name: "in another", phone: "+8613800000008"})
	for _, p := range []string{"+8613800000005", "+8613800000006", "+8613800000007", "+8613800000008"} {
		forbidden[p] = "audience"
	}
	// Another running campaign holds one customer already.
	b := voiceCampaign("other", Preview, nil)
	b.Queue, b.Audience.CustomerIDs = "outbound", []int64{other}
	if err := r.store.Create(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(ctx, b.ID, Scheduled); err != nil {
		t.Fatal(err)
	}

	c := voiceCampaign("year-end deposits", Progressive, agents)
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	n, err := r.store.Move(ctx, c.ID, Scheduled)
	if err != nil {
		t.Fatal(err)
	}
	if want := 36 + len(later); n != want {
		t.Fatalf("audience = %d, want %d", n, want)
	}
	for p, sql := range later {
		mustExec(t, pool, sql, ids[p], p)
	}

	for step := 0; step < 3*24*3; step++ {
		w.clock.Set(monday.Add(time.Duration(step) * 20 * time.Minute))
		if _, err := r.dialer.Step(ctx); err != nil {
			t.Fatal(err)
		}
		settle(t, pool)
	}

	checkNeverDialled(t, w.sim, forbidden)
	checkWindows(t, r, c)
	checkAttempts(t, r, c, answering)
	checkSkips(t, r, c, later)
	checkDNCDisposition(t, r, c)
}

// checkNeverDialled proves from the simulator's own record that no
// forbidden number was called.
func checkNeverDialled(t *testing.T, sim *twiliosim.Sim, forbidden map[string]string) {
	t.Helper()
	calls := 0
	for _, req := range sim.Requests() {
		if req.Method != "POST" || !endsWith(req.Path, "/Calls.json") {
			continue
		}
		calls++
		if why, bad := forbidden[req.Form.Get("To")]; bad {
			t.Errorf("dialled %s, which the %s should have refused", req.Form.Get("To"), why)
		}
		if req.Form.Get("MachineDetection") == "" {
			t.Errorf("call to %s without answering-machine detection", req.Form.Get("To"))
		}
	}
	if calls == 0 {
		t.Fatal("the simulator saw no calls")
	}
}

func endsWith(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// checkWindows proves every call was placed inside the calling window in
// its customer's own time zone, and that each zone was reached.
func checkWindows(t *testing.T, r *rig, c *Campaign) {
	t.Helper()
	rows, err := r.pool.Query(context.Background(), `SELECT a.at, u.time_zone FROM outreach_attempts a
		JOIN customers u ON u.id = a.customer_id WHERE a.campaign_id = $1 AND a.result <> 'skipped'`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	first := map[string]time.Time{}
	for rows.Next() {
		var at time.Time
		var zone string
		if err := rows.Scan(&at, &zone); err != nil {
			t.Fatal(err)
		}
		loc, _ := Zone(zone)
		if !c.Window.Open(at, loc, "", nil) {
			t.Errorf("call at %v, %v local in %s: outside the window", at.UTC(), at.In(loc), zone)
		}
		if f, ok := first[zone]; !ok || at.Before(f) {
			first[zone] = at
		}
	}
	want := map[string]time.Time{
		"Asia/Shanghai":    monday.Add(1 * time.Hour),  // 09:00 +08
		"Europe/London":    monday.Add(9 * time.Hour),  // 09:00 +00
		"America/New_York": monday.Add(14 * time.Hour), // Monday 09:00 -05; Sunday is closed
	}
	for z, at := range want {
		if !first[z].Equal(at) {
			t.Errorf("first call in %s at %v, want %v", z, first[z].UTC(), at)
		}
	}
}

// checkAttempts proves attempts never exceed the maximum and each
// outcome was followed by what the rules say.
func checkAttempts(t *testing.T, r *rig, c *Campaign, a twiliosim.Answering) {
	t.Helper()
	rows, err := r.pool.Query(context.Background(), `SELECT k.phone, k.state, k.attempts, k.outcome,
			(SELECT count(*) FROM outreach_attempts x WHERE x.contact_id = k.id AND x.result <> 'skipped'),
			(SELECT count(*) FROM outreach_attempts x WHERE x.contact_id = k.id AND x.provider_sid IS NOT NULL)
		FROM campaign_contacts k WHERE k.campaign_id = $1`, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var phone, state, outcome string
		var attempts, made, placed int
		if err := rows.Scan(&phone, &state, &attempts, &outcome, &made, &placed); err != nil {
			t.Fatal(err)
		}
		if made > c.Rules.MaxAttempts || attempts != made || placed != made {
			t.Errorf("%s: %d attempts recorded, %d made, %d placed (max %d)", phone, attempts, made, placed, c.Rules.MaxAttempts)
		}
		kind := a.ByNumber[phone]
		want := map[string]string{"human": "offered", "busy": "failed", "machine": "failed", "no-answer": "failed"}[kind]
		if _, gated := map[string]bool{"+8613800000001": true, "+8613800000002": true, "+8613800000003": true, "+8613800000004": true}[phone]; !gated && state != want {
			t.Errorf("%s (%s): contact %s/%s after %d attempts, want %s", phone, kind, state, outcome, made, want)
		}
		seen[kind+"/"+state]++
	}
	t.Logf("contacts by callee behaviour and state: %v", seen)
}

// checkSkips proves the numbers that changed their minds after the
// audience was built were skipped, each with its reason.
func checkSkips(t *testing.T, r *rig, c *Campaign, later map[string]string) {
	t.Helper()
	want := map[string]Reason{"+8613800000001": ReasonDNC, "+8613800000002": ReasonDoNotCall,
		"+8613800000003": ReasonOptedOut, "+8613800000004": ReasonOptedOut}
	for _, p := range slices.Sorted(maps.Keys(later)) {
		var reason, state string
		err := r.pool.QueryRow(context.Background(), `SELECT a.reason, k.state FROM outreach_attempts a
			JOIN campaign_contacts k ON k.id = a.contact_id WHERE a.campaign_id = $1 AND a.phone = $2 AND a.result = 'skipped'`,
			c.ID, p).Scan(&reason, &state)
		if err != nil {
			t.Errorf("%s: no skip recorded: %v", p, err)
			continue
		}
		if Reason(reason) != want[p] || state != "failed" {
			t.Errorf("%s: skipped for %q, contact %s; want %q, failed", p, reason, state, want[p])
		}
	}
	res, err := r.store.Results(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Connected != 9 || res.Abandoned != 0 || res.Remaining != 9 {
		t.Errorf("results: %+v; want 9 connected, none abandoned, 9 awaiting disposition", res)
	}
}

// checkDNCDisposition: an agent's do-not-call disposition lists the number.
func checkDNCDisposition(t *testing.T, r *rig, c *Campaign) {
	t.Helper()
	ctx := context.Background()
	var contact int64
	var phone string
	err := r.pool.QueryRow(ctx, `SELECT id, phone FROM campaign_contacts WHERE campaign_id = $1 AND state = 'offered'
		ORDER BY id LIMIT 1`, c.ID).Scan(&contact, &phone)
	if err != nil {
		t.Fatal(err)
	}
	sup := &switchboard.Agent{ID: mustID(t, r.pool, `SELECT id FROM agents LIMIT 1`), Role: switchboard.RoleSupervisor}
	if err := r.store.Dispose(ctx, sup, contact, Disposition{Code: DoNotCall, Note: "asked never to be called"}); err != nil {
		t.Fatal(err)
	}
	var listed, flagged bool
	r.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dnc WHERE phone = $1),
		(SELECT do_not_call FROM customers WHERE phone = $1)`, phone).Scan(&listed, &flagged)
	if !listed || !flagged {
		t.Errorf("after a do-not-call disposition: listed %v, customer flagged %v", listed, flagged)
	}
	if err := r.store.Dispose(ctx, sup, contact, Disposition{Code: "maybe"}); !isKind(err, switchboard.ErrInvalid) {
		t.Errorf("unknown disposition: %v, want ErrInvalid", err)
	}
}

func isKind(err, kind error) bool { return err != nil && errorsIs(err, kind) }

// TestTwoDialersNeverDialTwice runs two dialers, each with its own pool and
// Twilio client as two server processes would have, at the same moments
// over one campaign, and proves no contact was dialled twice at once and
// none beyond its attempts.
func TestTwoDialersNeverDialTwice(t *testing.T) {
	ctx := context.Background()
	answering := twiliosim.Answering{Busy: 0.5, NoAnswer: 0.5, Seed: 7, Redraw: true}
	w := newWorld(t, monday.Add(2*time.Hour), answering)
	a, b := w.rig("node-a", DialerConfig{}), w.rig("node-b", DialerConfig{})
	var agents []int64
	for i := range 60 {
		agents = append(agents, addAgent(t, a.pool, "agent"+string(rune('a'+i/26))+string(rune('a'+i%26)), switchboard.RoleAgent).ID)
	}
	for i := range 150 {
		addCustomer(t, a.pool, cust{name: "c", phone: phoneN(1000 + i)})
	}
	c := voiceCampaign("two processes", Progressive, agents)
	c.Rules.MaxAttempts, c.Rules.RetryBusy, c.Rules.RetryNoAnswer = 2, time.Minute, time.Minute
	if err := a.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.Move(ctx, c.ID, Scheduled); err != nil {
		t.Fatal(err)
	}
	for step := range 12 {
		before := len(w.sim.Requests())
		var wg sync.WaitGroup
		for _, rg := range []*rig{a, b} {
			wg.Go(func() {
				if _, err := rg.dialer.Step(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		perNumber := map[string]int{}
		for _, req := range w.sim.Requests()[before:] {
			if endsWith(req.Path, "/Calls.json") {
				if perNumber[req.Form.Get("To")]++; perNumber[req.Form.Get("To")] > 1 {
					t.Errorf("step %d: %s dialled twice at once", step, req.Form.Get("To"))
				}
			}
		}
		settle(t, a.pool)
		w.clock.Advance(2 * time.Minute)
	}
	var nodes, over, total int
	a.pool.QueryRow(ctx, `SELECT count(DISTINCT node), count(*) FROM outreach_attempts WHERE result <> 'skipped'`).Scan(&nodes, &total)
	a.pool.QueryRow(ctx, `SELECT count(*) FROM campaign_contacts WHERE attempts > 2`).Scan(&over)
	if nodes != 2 || over != 0 || total != 300 {
		t.Errorf("%d nodes dialled, %d contacts over the maximum, %d attempts; want 2, 0, 300", nodes, over, total)
	}
}

// TestCallerIDMustBeTheBanks: a campaign set to show a number that is not
// one of the bank's never calls anyone from it; the attempt fails saying why.
func TestCallerIDMustBeTheBanks(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, monday, twiliosim.Answering{ByNumber: map[string]string{phoneN(1): "human"}})
	r := w.rig("node-a", DialerConfig{})
	agent := addAgent(t, r.pool, "li.na", switchboard.RoleAgent).ID
	addCustomer(t, r.pool, cust{name: "good", phone: phoneN(1), zone: "Asia/Shanghai"})
	c := voiceCampaign("spoofed", Progressive, []int64{agent})
	c.CallerID = "+8613999999999"
	mustCreateScheduled(t, r, c)
	if _, err := r.store.Move(ctx, c.ID, Running); err != nil {
		t.Fatal(err)
	}
	w.clock.Set(monday.Add(2 * time.Hour)) // 10:00 in Shanghai
	if _, err := r.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	settle(t, r.pool)
	if calls := w.sim.Calls(); len(calls) != 0 {
		t.Fatalf("the simulator got %d calls from a number not the bank's (first from %s)", len(calls), calls[0].From)
	}
	var reason string
	if err := r.pool.QueryRow(ctx, `SELECT coalesce(max(reason), '') FROM outreach_attempts WHERE campaign_id = $1`, c.ID).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reason, "not one of the bank's numbers") {
		t.Fatalf("attempt reason %q, want it to say the caller id is not the bank's", reason)
	}
}
