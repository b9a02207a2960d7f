package campaigns

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
	"switchboard/channels/twiliovoice"
	"switchboard/routing"
)

// events keeps what a routing subscription heard.
type events struct {
	mu  sync.Mutex
	all []routing.Event
}

func listen(t *testing.T, ctx context.Context, e *routing.Engine) *events {
	t.Helper()
	ch, err := e.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ev := &events{}
	go func() {
		for e := range ch {
			ev.mu.Lock()
			ev.all = append(ev.all, e)
			ev.mu.Unlock()
		}
	}()
	return ev
}

// wait returns the first event that ok accepts, waiting up to 10 s.
func (ev *events) wait(t *testing.T, what string, ok func(routing.Event) bool) routing.Event {
	t.Helper()
	var found routing.Event
	eventually(t, what, func() bool {
		ev.mu.Lock()
		defer ev.mu.Unlock()
		i := slices.IndexFunc(ev.all, ok)
		if i >= 0 {
			found = ev.all[i]
		}
		return i >= 0
	})
	return found
}

func (ev *events) about(customer int64) []routing.Event {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	var out []routing.Event
	for _, e := range ev.all {
		if e.CustomerID == customer {
			out = append(out, e)
		}
	}
	return out
}

// eventually polls cond (in real time) for up to 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("after 10 s: %s", what)
}

// centre is one server process wired as cmd/switchboard wires it: the real
// routing engine on Redis and Postgres, the voice channel that bridges
// accepted calls, and the dialer handed to routing with UseRouting and
// FollowRouting, all behind signed webhooks and over the Twilio simulator.
type centre struct {
	*rig
	engine *routing.Engine
}

func (w *world) centre(t *testing.T, ctx context.Context) *centre {
	t.Helper()
	r := w.rig("node-a", DialerConfig{})
	n := w.tw.StartNode()
	if err := n.Engine.Sweep(ctx); err != nil { // builds the routing state before anyone logs in
		t.Fatal(err)
	}
	log := w.tw.Log
	voice, err := twiliovoice.New(twiliovoice.Config{PublicURL: r.hooks.URL, AuthToken: simToken, From: bankNumber},
		n.Store, w.tw.Twilio, n.Engine, n.Bus, log)
	if err != nil {
		t.Fatal(err)
	}
	go voice.Run(ctx)
	r.dialer.UseRouting(n.Engine)
	go r.dialer.FollowRouting(ctx)
	mux := http.NewServeMux()
	mux.Handle("/campaigns/twilio/", twilio.RequireSignature(simToken, r.hooks.URL, log, r.dialer.Handler()))
	mux.Handle("/channels/twilio/voice", voice.Handler())
	mux.Handle("/channels/twilio/voice/", voice.Handler())
	r.hooks.Config.Handler = mux
	return &centre{rig: r, engine: n.Engine}
}

// login adds an agent who serves every tier and logs them in to routing.
func (c *centre) login(t *testing.T, ctx context.Context, name string) int64 {
	t.Helper()
	id := mustID(t, c.pool, `INSERT INTO agents (username, name, password_hash, role, tiers)
		VALUES ($1, $1, 'x', 'agent', '{private,vip,standard,mass}') RETURNING id`, name)
	if err := c.engine.Login(ctx, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// simCall returns the simulator's call leg to number.
func simCall(t *testing.T, sim *twiliosim.Sim, number string) *twiliosim.Call {
	t.Helper()
	var call *twiliosim.Call
	eventually(t, "a call to "+number, func() bool {
		for _, c := range sim.Calls() {
			if c.To == number {
				call = c
			}
		}
		return call != nil
	})
	return call
}

// TestAnsweredCallThroughRouting runs a progressive campaign through the
// real routing engine: a machine's answer never reaches routing; a
// person's answer is enqueued and offered to the campaign's agent (not to
// another agent who has been free longer), with the customer, and once the
// agent accepts, the voice channel bridges the agent into the customer's
// call.
func TestAnsweredCallThroughRouting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // before the cleanups close the databases under the loops
	const person, machine = "+8613900000051", "+8613900000052"
	answering := twiliosim.Answering{ByNumber: map[string]string{person: "human", machine: "machine"}}
	w := newWorld(t, monday.Add(2*time.Hour), answering) // 10:00 in Shanghai
	// The customer stays on the line until the test hangs up for them.
	w.sim.Phone(twiliosim.Caller{From: person, TalkTime: 24 * time.Hour})
	c := w.centre(t, ctx)
	heard := listen(t, ctx, c.engine)
	outsider := c.login(t, ctx, "zhao.outsider") // free the longest, but not on the campaign
	w.clock.Advance(time.Minute)
	agent := c.login(t, ctx, "li.na")
	eventually(t, "the campaign agent is available in routing's recorded presence", func() bool {
		free, _, err := c.store.Agents(ctx, &Campaign{AgentIDs: []int64{agent}})
		return err == nil && free == 1
	})

	humanID := addCustomer(t, c.pool, cust{name: "Chen Mei", phone: person, tier: "vip"})
	machineID := addCustomer(t, c.pool, cust{name: "Wu Gang", phone: machine})
	camp := voiceCampaign("wealth review", Progressive, []int64{agent})
	mustCreateScheduled(t, c.rig, camp)
	// The machine's number is due first, the person's a minute later.
	mustExec(t, c.pool, `UPDATE campaign_contacts SET next_at = next_at + interval '1 minute' WHERE customer_id = $1`, humanID)

	if _, err := c.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	settle(t, c.pool)
	if ev := heard.about(machineID); len(ev) != 0 {
		t.Errorf("a machine's answer reached routing: %+v", ev)
	}
	var interactions int
	c.pool.QueryRow(ctx, `SELECT count(*) FROM interactions WHERE customer_id = $1`, machineID).Scan(&interactions)
	if interactions != 0 {
		t.Errorf("a machine's answer made %d interactions, want none", interactions)
	}

	w.clock.Advance(time.Minute)
	if _, err := c.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	offer := heard.wait(t, "an offer of the answered call", func(e routing.Event) bool {
		return e.Kind == routing.EventOffer && e.CustomerID == humanID
	})
	if offer.AgentID != agent || offer.Channel != switchboard.ChannelVoice {
		t.Fatalf("answered call offered to agent %d on %s; want the campaign agent %d (not %d) on voice",
			offer.AgentID, offer.Channel, agent, outsider)
	}
	var attempt, contact int64
	var queue, direction string
	err := c.pool.QueryRow(ctx, `SELECT a.id, a.contact_id, i.queue, i.direction FROM outreach_attempts a
		JOIN interactions i ON i.id = a.interaction_id WHERE a.interaction_id = $1 AND a.campaign_id = $2 AND a.customer_id = $3`,
		offer.InteractionID, camp.ID, humanID).Scan(&attempt, &contact, &queue, &direction)
	if err != nil {
		t.Fatalf("the offered interaction is not the campaign's attempt for the customer: %v", err)
	}
	if queue != "general" || direction != "outbound" {
		t.Errorf("interaction in queue %q, %s; want general, outbound", queue, direction)
	}

	if err := c.engine.Accept(ctx, agent, offer.InteractionID); err != nil {
		t.Fatal(err)
	}
	customer := simCall(t, w.sim, person)
	agentLeg := simCall(t, w.sim, "client:agent_"+itoa(agent))
	eventually(t, "the agent and the customer are bridged", func() bool { return customer.Bridged() && agentLeg.Bridged() })
	eventually(t, "the attempt is recorded as connected to the agent", func() bool {
		var result string
		var by int64
		c.pool.QueryRow(ctx, `SELECT result, coalesce(agent_id, 0) FROM outreach_attempts WHERE id = $1`, attempt).Scan(&result, &by)
		return result == "connected" && by == agent
	})

	// The customer hangs up: the attempt ends connected, the contact waits
	// for the agent's disposition.
	p := &api.UpdateCallParams{}
	p.SetStatus("completed")
	if _, err := c.dialer.twilio.API(context.Background()).UpdateCall(customer.SID, p); err != nil {
		t.Fatal(err)
	}
	settle(t, c.pool)
	var state string
	c.pool.QueryRow(ctx, `SELECT state FROM campaign_contacts WHERE id = $1`, contact).Scan(&state)
	if state != "offered" {
		t.Errorf("contact %s after the conversation, want offered (awaiting the disposition)", state)
	}
	res, err := c.store.Results(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Dialled != 2 || res.Connected != 1 || res.Abandoned != 0 {
		t.Errorf("results %+v; want 2 dialled, 1 connected, none abandoned", res)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
