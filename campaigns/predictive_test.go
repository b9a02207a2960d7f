package campaigns

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
	"switchboard/interactions"
)

// agentPool plays a campaign's agents on the virtual clock: an agent who
// takes an answered call is busy for the handle time, then free again.
type agentPool struct {
	mu    sync.Mutex
	clock *clock
	ids   []int64
	until map[int64]time.Time // busy until
	aht   time.Duration
}

func (p *agentPool) counts(context.Context, *Campaign) (free, busy int, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	for _, id := range p.ids {
		if p.until[id].After(now) {
			busy++
		} else {
			free++
		}
	}
	return free, busy, nil
}

// take returns a free agent, now busy for the handle time, or 0.
func (p *agentPool) take() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.clock.Now()
	for _, id := range p.ids {
		if !p.until[id].After(now) {
			p.until[id] = now.Add(p.aht)
			return id
		}
	}
	return 0
}

// TestPredictiveCampaign runs a predictive campaign against the simulator
// for ten virtual minutes from just before the window opens, with six
// agents and callees who answer, are busy, have machines or do not answer.
// From the simulator's own record of calls it proves that the dialer dials
// ahead of its free agents, keeps the abandoned share of answered calls
// within the campaign's cap, never has two calls to one number at once,
// and dials nobody outside the window or refused by the gates.
func TestPredictiveCampaign(t *testing.T) {
	ctx := context.Background()
	start := monday.Add(59*time.Minute + 30*time.Second) // 08:59:30 in Shanghai
	answering := twiliosim.Answering{Machine: 0.1, Busy: 0.15, NoAnswer: 0.35, Seed: 11}
	w := newWorld(t, start, answering)
	r := w.rig("node-a", DialerConfig{})
	pool := &agentPool{clock: w.clock, until: map[int64]time.Time{}, aht: 40 * time.Second}
	for i := range 6 {
		pool.ids = append(pool.ids, addAgent(t, r.pool, fmt.Sprintf("predictive.%d", i), switchboard.RoleAgent).ID)
	}
	r.dialer.Agents = pool.counts
	r.dialer.Route = func(context.Context, interactions.Queued) error { return nil } // the test's agents take calls (assign)
	forbidden := map[string]string{}
	for i := range 400 {
		addCustomer(t, r.pool, cust{name: "p", phone: phoneN(3000 + i)})
	}
	for i := range 10 {
		p := phoneN(4000 + i)
		addCustomer(t, r.pool, cust{name: "ny", phone: p, zone: "America/New_York"})
		forbidden[p] = "window (Sunday evening in New York)"
	}
	listed := addCustomer(t, r.pool, cust{name: "listed later", phone: "+8613800000009"})
	forbidden["+8613800000009"] = "DNC list"
	c := voiceCampaign("predictive", Predictive, pool.ids)
	c.Rules.RetryBusy, c.Rules.RetryNoAnswer = time.Minute, time.Minute
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(ctx, c.ID, Scheduled); err != nil {
		t.Fatal(err)
	}
	mustExec(t, r.pool, `INSERT INTO dnc (phone, source, added_at) SELECT phone, 'test', now() FROM customers WHERE id = $1`, listed)

	tw, err := twilio.NewClient(w.tw.SimURL, simAccount, simToken)
	if err != nil {
		t.Fatal(err)
	}
	ahead := 0
	for step := range 600 {
		w.clock.Set(start.Add(time.Duration(step) * time.Second))
		assign(t, r, pool, tw)
		free, _, _ := pool.counts(ctx, c)
		before := dialled(w.sim)
		if _, err := r.dialer.Step(ctx); err != nil {
			t.Fatal(err)
		}
		placed := dialled(w.sim) - before
		if placed > 0 && w.clock.Now().Before(monday.Add(time.Hour)) {
			t.Fatalf("%d calls at %v, before the window opens at 09:00", placed, w.clock.Now())
		}
		if placed > free {
			ahead++
		}
		waitResolved(t, r)
		checkOneCallPerNumber(t, w.sim, step)
	}
	// Stop dialling and let the answered calls find an agent or be
	// abandoned.
	if _, err := r.store.Move(ctx, c.ID, Paused); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		w.clock.Advance(time.Second)
		assign(t, r, pool, tw)
		if _, err := r.dialer.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	settle(t, r.pool)
	if ahead == 0 {
		t.Error("the predictive dialer never dialled more calls than free agents")
	}
	checkNeverDialled(t, w.sim, forbidden)
	abandoned := checkAbandonRate(t, w.sim, answering, c.Rules.AbandonCap)
	if f, err := r.store.Figures(ctx, c.ID); err != nil || f.Abandon != abandoned {
		t.Errorf("the dialer counts %d abandoned calls (%v), the simulator %d", f.Abandon, err, abandoned)
	}
}

// assign gives the answered calls waiting for an agent, oldest first, to
// free agents: the agent's leg joins the customer's conference and the
// dialer is told, as routing would.
func assign(t *testing.T, r *rig, pool *agentPool, tw *twilio.Client) {
	t.Helper()
	ctx := context.Background()
	rows, err := r.pool.Query(ctx, `SELECT interaction_id FROM outreach_attempts WHERE live AND result = 'answered'
		ORDER BY answered_at, id`)
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range waiting {
		agent := pool.take()
		if agent == 0 {
			return
		}
		p := &api.CreateParticipantParams{}
		p.SetFrom(bankNumber).SetTo("client:agent")
		if _, err := tw.API(context.Background()).CreateParticipant(fmt.Sprintf("interaction-%d", id), p); err != nil {
			t.Fatalf("agent leg: %v", err)
		}
		if err := r.dialer.Connected(ctx, id, agent); err != nil {
			t.Fatal(err)
		}
	}
}

// dialled counts the calls the simulator was asked to place to customers.
func dialled(sim *twiliosim.Sim) int {
	n := 0
	for _, c := range sim.Calls() {
		if c.Direction == "outbound-api" && c.To != "client:agent" {
			n++
		}
	}
	return n
}

// waitResolved waits (in real time) until no placed call is still
// ringing: each has been answered or has ended.
func waitResolved(t *testing.T, r *rig) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var ringing int
		r.pool.QueryRow(context.Background(), `SELECT count(*) FROM outreach_attempts WHERE live AND result = 'dialing'`).Scan(&ringing)
		if ringing == 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("calls still ringing after 10 s")
}

var ended = []string{"completed", "busy", "no-answer", "failed", "canceled"}

// checkOneCallPerNumber proves from the simulator that no number has two
// calls up at once.
func checkOneCallPerNumber(t *testing.T, sim *twiliosim.Sim, step int) {
	t.Helper()
	up := map[string]int{}
	for _, c := range sim.Calls() {
		if c.Direction == "outbound-api" && c.To != "client:agent" && !slices.Contains(ended, c.Status()) {
			if up[c.To]++; up[c.To] == 2 {
				t.Errorf("step %d: two calls to %s at once", step, c.To)
			}
		}
	}
}

// checkAbandonRate counts, in the simulator, the calls a person answered
// and those of them who heard the abandon message instead of an agent, and
// proves the share within the cap. Every answered call had one or the
// other.
func checkAbandonRate(t *testing.T, sim *twiliosim.Sim, a twiliosim.Answering, abandonCap float64) (abandoned int) {
	t.Helper()
	answered, placed := 0, 0
	for _, c := range sim.Calls() {
		if c.Direction != "outbound-api" || c.To == "client:agent" {
			continue
		}
		placed++
		if a.Outcome(c.To, 0) != "human" {
			continue
		}
		answered++
		switch {
		case slices.Contains(c.Heard(), "say:"+AbandonMessage):
			abandoned++
		case !c.Bridged():
			t.Errorf("call %s to %s: answered, neither bridged to an agent nor abandoned (%v)", c.SID, c.To, c.Heard())
		}
	}
	rate := float64(abandoned) / float64(max(answered, 1))
	t.Logf("%d calls placed, %d answered by a person, %d abandoned (%.1f%%)", placed, answered, abandoned, 100*rate)
	if answered < 50 {
		t.Errorf("only %d calls answered: too few to judge the pacing", answered)
	}
	if rate > abandonCap {
		t.Errorf("abandon rate %.1f%% over the cap of %.1f%%", 100*rate, 100*abandonCap)
	}
	return abandoned
}
