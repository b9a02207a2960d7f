package twiliovoice_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"switchboard/channels/twiliosim"
	"switchboard/internal/testenv"
	"switchboard/internal/testworld"
	"switchboard/routing"
)

// TestLateWebhookOfAnEndedCall: a /voice webhook that reaches a node only
// after Twilio gave up on it (the node was paused) and after the caller's
// hang-up reached another node never queues the call: it is recorded as
// ended and answered with a hang-up.
func TestLateWebhookOfAnEndedCall(t *testing.T) {
	env, _ := setup(t)
	sid := twiliosim.NewSID("CA")
	call := url.Values{"CallSid": {sid}, "AccountSid": {testworld.AccountSID}, "From": {callerPhone},
		"To": {testworld.BankNumber}, "Direction": {"inbound"}}
	status := env.Public + "/channels/twilio/voice/status"
	ended := cloneWith(call, "CallStatus", "completed")
	post(t, status, ended, twiliosim.Sign(testworld.AuthToken, status, ended), http.StatusNoContent)

	voice := env.Public + "/channels/twilio/voice"
	ringing := cloneWith(call, "CallStatus", "ringing")
	body := post(t, voice, ringing, twiliosim.Sign(testworld.AuthToken, voice, ringing), http.StatusOK)
	if !strings.Contains(string(body), "<Hangup") || strings.Contains(string(body), "<Gather") {
		t.Fatalf("late webhook of an ended call answered %s, want a hang-up", body)
	}
	if n := env.Count(`SELECT count(*) FROM interactions WHERE provider_sid = $1 AND state = 'abandoned'
		AND end_reason = 'ended_before_answer'`, sid); n != 1 {
		t.Fatalf("%d ended interactions for the late call, want 1", n)
	}
}

// TestSweepEndsCallsThatAreGone: a queued call whose hang-up was noted
// while its interaction was being created, and a call whose hang-up
// callback never came (Twilio says it is over), are both ended by the
// sweep and never offered.
func TestSweepEndsCallsThatAreGone(t *testing.T) {
	env, ch := setup(t)
	gone := twiliosim.NewSID("CA")
	noted := env.QueuedCall(gone, callerPhone, "general")
	env.Exec(`INSERT INTO call_endings (call_sid, status, ended_at) VALUES ($1, 'completed', now())`, gone)

	// A call that ended at Twilio, as if its hang-up callback were lost:
	// its interaction is left waiting, and nothing noted its end.
	c := env.Sim.Call(twiliosim.Caller{From: "+8613900000001", Digits: []string{"1", "1"}, Patience: time.Millisecond})
	waitCall(t, env, c)
	lost := interactionOfCall(env, c.SID).id
	env.Exec(`DELETE FROM call_endings WHERE call_sid = $1`, c.SID)
	env.Exec(`UPDATE interactions SET state = 'queued', queue = 'general', ended_at = NULL, end_reason = '',
		created_at = now() - interval '5 minutes' WHERE id = $1`, lost)

	if err := ch.Sweep(env.Ctx); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]int64{"noted": noted, "lost": lost} {
		if n := env.Count(`SELECT count(*) FROM interactions WHERE id = $1 AND state = 'abandoned'`, id); n != 1 {
			t.Errorf("the %s call is still waiting after the sweep", name)
		}
	}
}

func cloneWith(v url.Values, k, val string) url.Values {
	out := url.Values{}
	for key, vs := range v {
		out[key] = append([]string(nil), vs...)
	}
	out.Set(k, val)
	return out
}

// TestCallersWaitWhileRedisIsAway: with Redis down, a caller who reaches
// the queue keeps the hold music instead of an apology and a hang-up, and
// is offered to the agent once Redis is back; a caller who hangs up
// meanwhile gets a stored, acknowledged ending and is never offered.
func TestCallersWaitWhileRedisIsAway(t *testing.T) {
	rdb := testenv.MustPrivateRedis(t)
	opts := testworld.ForChannels()
	opts.RedisURL = rdb.URL
	env, _ := setupOn(t, testworld.New(t, opts))
	agent := env.AddAgent("amy")
	env.Exec(`UPDATE agents SET skills = '{}' WHERE id = $1`, agent)

	rdb.Kill()
	waits := env.Sim.Call(twiliosim.Caller{From: callerPhone, Digits: []string{"1", "1"}, Patience: 10 * time.Minute})
	leaves := env.Sim.Call(twiliosim.Caller{From: "+8613900000002", Digits: []string{"1", "1"}, Patience: 40 * time.Second})
	env.Eventually("both callers queued in PostgreSQL", func() bool {
		return env.Count(`SELECT count(*) FROM interactions WHERE provider_sid IN ($1, $2) AND queue <> ''`, waits.SID, leaves.SID) == 2
	})
	waitCall(t, env, leaves)
	if n := env.Count(`SELECT count(*) FROM call_endings WHERE call_sid = $1`, leaves.SID); n != 1 {
		t.Fatalf("the hang-up while Redis was away was not stored")
	}
	if env.State(interactionOfCall(env, leaves.SID).id) != "abandoned" {
		t.Fatalf("the caller who left is %s, want abandoned", env.State(interactionOfCall(env, leaves.SID).id))
	}
	time.Sleep(300 * time.Millisecond) // several hold loops at the simulator's speed
	if st := waits.Status(); st != "in-progress" {
		t.Fatalf("the waiting caller's call is %s while Redis is away, want in-progress; heard %v", st, waits.Heard())
	}
	for _, h := range waits.Heard() {
		if strings.Contains(h, "sorry") || strings.Contains(h, "抱歉") {
			t.Fatalf("the waiting caller heard an apology: %v", waits.Heard())
		}
	}

	rdb.Start()
	// The agent's desk logs in again once the engine's connections are back.
	env.Eventually("the agent logged in again", func() bool { return env.Engine.Login(env.Ctx, agent) == nil })
	id := interactionOfCall(env, waits.SID).id
	if offer := env.WaitEvent(routing.EventOffer, id); offer.AgentID != agent {
		t.Fatalf("the waiting caller was offered to %d, want %d", offer.AgentID, agent)
	}
	left := interactionOfCall(env, leaves.SID).id
	if n := env.Count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind = 'offered'`, left); n != 0 {
		t.Fatalf("the caller who left was offered %d times after Redis came back", n)
	}
}
