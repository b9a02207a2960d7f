package twiliovoice_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard/channels/twiliosim"
	"switchboard/channels/twiliovoice"
	"switchboard/internal/testworld"
	"switchboard/routing"
)

const callerPhone = "+8613700137000"

func setup(t *testing.T) (*testworld.World, *twiliovoice.Channel) {
	t.Helper()
	return setupOn(t, testworld.New(t, testworld.ForChannels()))
}

func setupOn(t *testing.T, env *testworld.World) (*testworld.World, *twiliovoice.Channel) {
	t.Helper()
	ch, err := twiliovoice.New(twiliovoice.Config{PublicURL: env.Public, AuthToken: testworld.AuthToken, From: testworld.BankNumber,
		PositionMessages: true}, env.Store, env.Twilio, env.Engine, env.Bus, env.Log)
	if err != nil {
		t.Fatal(err)
	}
	env.Mux.Handle("/channels/twilio/voice", ch.Handler())
	env.Mux.Handle("/channels/twilio/voice/", ch.Handler())
	go ch.Run(env.Ctx)
	return env, ch
}

type row struct {
	id                 int64
	state, queue, lang string
	path               []string
	reason, callbackTo string
	customer           *int64
}

func interactionOfCall(env *testworld.World, sid string) row {
	env.T.Helper()
	var r row
	err := env.Pool.QueryRow(env.Ctx, `SELECT id, state, queue, language, ivr_path, end_reason, callback_to, customer_id
		FROM interactions WHERE provider_sid = $1`, sid).Scan(&r.id, &r.state, &r.queue, &r.lang, &r.path, &r.reason, &r.callbackTo, &r.customer)
	if err != nil {
		env.T.Fatalf("interaction of call %s: %v", sid, err)
	}
	return r
}

func waitCall(t *testing.T, env *testworld.World, c *twiliosim.Call) {
	t.Helper()
	if err := c.Wait(env.Ctx); err != nil {
		t.Fatal(err)
	}
}

// A call goes through the IVR to its queue, is offered, accepted and
// bridged in a conference, and the caller's hang-up sends the agent to
// wrap-up.
func TestCallIVRQueueBridgeHangup(t *testing.T) {
	env, _ := setup(t)
	cust := env.AddCustomer("Chen Jie", callerPhone, "private")
	agent := env.AddAgent("amy")
	call := env.Sim.Call(twiliosim.Caller{From: callerPhone, Digits: []string{"2", "1"}, Patience: time.Minute, TalkTime: 5 * time.Second})
	var id int64
	env.Eventually("the call's interaction", func() bool {
		return env.Count(`SELECT count(*) FROM interactions WHERE provider_sid = $1`, call.SID) == 1
	})
	id = interactionOfCall(env, call.SID).id
	offer := env.WaitEvent(routing.EventOffer, id)
	if offer.AgentID != agent {
		t.Fatalf("offered to %d, want %d", offer.AgentID, agent)
	}
	if err := env.Engine.Accept(env.Ctx, agent, id); err != nil {
		t.Fatal(err)
	}
	waitCall(t, env, call)
	if !call.Bridged() || call.EndReason() != "caller-done" {
		t.Fatalf("call bridged=%v ended by %q; heard %v", call.Bridged(), call.EndReason(), call.Heard())
	}
	if !slices.Contains(call.Heard(), "conference:interaction-"+itoa(id)) {
		t.Fatalf("caller never joined the conference: %v", call.Heard())
	}
	env.WaitEvent(routing.EventWrapUp, id)
	r := interactionOfCall(env, call.SID)
	if r.queue != "cards" || r.lang != "en" || r.customer == nil || *r.customer != cust {
		t.Fatalf("interaction = %+v, want queue cards, language en, customer %d", r, cust)
	}
	if strings.Join(r.path, ",") != "lang:en,intent:cards" {
		t.Fatalf("ivr path %v", r.path)
	}
	var agentLeg, redirect bool
	for _, req := range env.Sim.Requests() {
		if strings.HasSuffix(req.Path, "/Conferences/interaction-"+itoa(id)+"/Participants.json") && req.Form.Get("To") == "client:agent_"+itoa(agent) {
			agentLeg = true
		}
		if strings.HasSuffix(req.Path, "/Calls/"+call.SID+".json") && strings.Contains(req.Form.Get("Url"), "/channels/twilio/voice/bridge?i=") {
			redirect = true
		}
	}
	if !agentLeg || !redirect {
		t.Fatalf("agent leg added %v, caller redirected %v: %+v", agentLeg, redirect, env.Sim.Requests())
	}
	checkConferenceHistory(t, env, id, agent)
	// The tier is never said to the caller.
	for _, h := range call.Heard() {
		if strings.Contains(strings.ToLower(h), "private") || strings.Contains(h, "私人") || strings.Contains(h, "贵宾") {
			t.Fatalf("the caller heard the tier: %q", h)
		}
	}
}

func TestCallerAbandonsWhileQueued(t *testing.T) {
	tests := map[string]struct {
		digits      []string
		queue, lang string
	}{
		"Chinese, wealth":       {[]string{"1", "3"}, "wealth", "zh"},
		"no keys: defaults":     {nil, "general", "zh"},
		"wrong key twice":       {[]string{"2", "7", "8"}, "general", "en"},
		"wrong key, then right": {[]string{"2", "7", "4"}, "complaints", "en"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env, _ := setup(t)
			call := env.Sim.Call(twiliosim.Caller{From: callerPhone, Digits: tc.digits, Patience: 40 * time.Second})
			waitCall(t, env, call)
			if call.EndReason() != "caller-patience" {
				t.Fatalf("call ended by %q, heard %v", call.EndReason(), call.Heard())
			}
			r := interactionOfCall(env, call.SID)
			if r.queue != tc.queue || r.lang != tc.lang {
				t.Fatalf("queue %q language %q, want %q %q (heard %v)", r.queue, r.lang, tc.queue, tc.lang, call.Heard())
			}
			env.Eventually("abandoned", func() bool { return env.State(r.id) == "abandoned" })
			env.WaitEvent(routing.EventAbandoned, r.id)
			w, err := env.Engine.Waiting(env.Ctx, tc.queue)
			if err != nil || len(w) != 0 {
				t.Fatalf("queue still holds %v (%v)", w, err)
			}
			if r.customer != nil {
				t.Fatalf("an unknown number was linked to customer %d", *r.customer)
			}
		})
	}
}

func TestCallerHangsUpInIVR(t *testing.T) {
	env, _ := setup(t)
	call := env.Sim.Call(twiliosim.Caller{From: callerPhone, Patience: time.Second})
	waitCall(t, env, call)
	r := interactionOfCall(env, call.SID)
	env.Eventually("abandoned in the IVR", func() bool { return env.State(r.id) == "abandoned" })
	if r = interactionOfCall(env, call.SID); r.reason != "hangup_in_ivr" {
		t.Fatalf("end reason %q", r.reason)
	}
}

// Virtual hold: the caller presses 9, hangs up, keeps the place, and is
// called back into a conference with the agent who accepts.
func TestVirtualHoldCallback(t *testing.T) {
	env, _ := setup(t)
	env.AddCustomer("Sun Li", callerPhone, "standard")
	call := env.Sim.Call(twiliosim.Caller{From: callerPhone, Digits: []string{"1", "2", "9"}, Patience: time.Minute})
	waitCall(t, env, call)
	if call.EndReason() != "twiml-hangup" || call.Bridged() {
		t.Fatalf("call ended by %q, heard %v", call.EndReason(), call.Heard())
	}
	r := interactionOfCall(env, call.SID)
	if r.callbackTo != callerPhone || r.state != "queued" {
		t.Fatalf("after the callback request: %+v", r)
	}
	w, err := env.Engine.Waiting(env.Ctx, "loans")
	if err != nil || len(w) != 1 || w[0].InteractionID != r.id {
		t.Fatalf("the callback lost its place in the queue: %v %v", w, err)
	}
	env.Sim.Phone(twiliosim.Caller{From: callerPhone, TalkTime: 5 * time.Second})
	agent := env.AddAgent("amy")
	env.WaitEvent(routing.EventOffer, r.id)
	if err := env.Engine.Accept(env.Ctx, agent, r.id); err != nil {
		t.Fatal(err)
	}
	var back *twiliosim.Call
	env.Eventually("the callback call", func() bool {
		for _, c := range env.Sim.Calls() {
			if c.To == callerPhone && c.Direction == "outbound-api" {
				back = c
				return true
			}
		}
		return false
	})
	waitCall(t, env, back)
	if !back.Bridged() {
		t.Fatalf("callback not bridged: %v", back.Heard())
	}
	env.WaitEvent(routing.EventWrapUp, r.id)
}

func TestIncomingTwiMLAndRetry(t *testing.T) {
	env, _ := setup(t)
	target := env.Public + "/channels/twilio/voice"
	form := url.Values{"CallSid": {twiliosim.NewSID("CA")}, "AccountSid": {testworld.AccountSID}, "From": {"13700137000"},
		"To": {testworld.BankNumber}, "CallStatus": {"ringing"}, "Direction": {"inbound"}}
	var first []byte
	for i := range 2 {
		body := post(t, target, form, twiliosim.Sign(testworld.AuthToken, target, form), http.StatusOK)
		if i == 0 {
			first = body
		}
	}
	if n := env.Count(`SELECT count(*) FROM interactions`); n != 1 {
		t.Fatalf("%d interactions after a retried call webhook, want 1", n)
	}
	var doc struct {
		XMLName xml.Name
		Say     []string `xml:"Say"`
		Gather  []struct {
			Action    string `xml:"action,attr"`
			NumDigits string `xml:"numDigits,attr"`
			Timeout   string `xml:"timeout,attr"`
			Say       string `xml:"Say"`
		} `xml:"Gather"`
		Redirect []string `xml:"Redirect"`
	}
	if err := xml.Unmarshal(first, &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, first)
	}
	if doc.XMLName.Local != "Response" || len(doc.Gather) != 1 || len(doc.Redirect) != 1 {
		t.Fatalf("TwiML = %s", first)
	}
	g := doc.Gather[0]
	if !strings.HasPrefix(g.Action, env.Public+"/channels/twilio/voice/ivr?i=") || g.NumDigits != "1" || g.Timeout != "5" ||
		!strings.Contains(g.Say, "中文") || !strings.Contains(g.Say, "English") {
		t.Fatalf("gather = %+v", g)
	}
	if doc.Redirect[0] != g.Action {
		t.Fatalf("no-key redirect %q, want the gather's action %q", doc.Redirect[0], g.Action)
	}
	// A forged request about another interaction's call is refused.
	form2 := url.Values{"CallSid": {twiliosim.NewSID("CA")}, "From": {callerPhone}, "To": {testworld.BankNumber}, "Digits": {"1"}}
	ivr := g.Action
	post(t, ivr, form2, twiliosim.Sign(testworld.AuthToken, ivr, form2), http.StatusForbidden)
	post(t, target, form, "bad", http.StatusForbidden)
}

func post(t *testing.T, target string, form url.Values, sig string, want int) []byte {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: %d %s, want %d", target, resp.StatusCode, body, want)
	}
	return body
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// checkConferenceHistory: the conference's events are in the interaction's
// history, the customer's hang-up ending it for the agent too.
func checkConferenceHistory(t *testing.T, env *testworld.World, id, agent int64) {
	t.Helper()
	env.Eventually("conference_ended in the history", func() bool {
		return env.Count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind = 'conference_ended'`, id) == 1
	})
	rows, err := env.Pool.Query(env.Ctx, `SELECT kind, COALESCE(data->>'leg', ''), COALESCE(data->>'reason', data->>'ended_by', ''),
		COALESCE(agent_id, 0) FROM interaction_events WHERE interaction_id = $1 AND kind LIKE 'conference_%' ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var kind, leg, reason string
		var by int64
		if err := rows.Scan(&kind, &leg, &reason, &by); err != nil {
			t.Fatal(err)
		}
		if (leg == "agent") != (by == agent) {
			t.Fatalf("%s of %s recorded for agent %d", kind, leg, by)
		}
		got = append(got, strings.Join(slices.DeleteFunc([]string{kind, leg, reason}, func(s string) bool { return s == "" }), " "))
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	// Which leg joins first is a race between the agent's softphone
	// answering and the caller's redirect; the rest is in order.
	joins := got[:min(3, len(got))]
	slices.Sort(joins)
	want := []string{"conference_joined agent", "conference_joined customer", "conference_started",
		"conference_left customer participant_hung_up", "conference_left agent conference_ended",
		"conference_ended participant-with-end-conference-on-exit-left"}
	if !slices.Equal(append(joins, got[min(3, len(got)):]...), want) {
		t.Fatalf("conference history %q, want (first three in any order) %q", got, want)
	}
}

// A conference callback is checked like every webhook, belongs to its
// interaction's conference, and a retry is recorded once.
func TestConferenceCallback(t *testing.T) {
	env, _ := setup(t)
	incoming := env.Public + "/channels/twilio/voice"
	call := url.Values{"CallSid": {twiliosim.NewSID("CA")}, "From": {callerPhone}, "To": {testworld.BankNumber}, "CallStatus": {"ringing"}}
	post(t, incoming, call, twiliosim.Sign(testworld.AuthToken, incoming, call), http.StatusOK)
	id := interactionOfCall(env, call.Get("CallSid")).id
	target := env.Public + "/channels/twilio/voice/conference?i=" + itoa(id)
	form := func(mod func(url.Values)) url.Values {
		f := url.Values{"ConferenceSid": {"CF0123456789abcdef0123456789abcdef"}, "FriendlyName": {"interaction-" + itoa(id)},
			"AccountSid": {testworld.AccountSID}, "StatusCallbackEvent": {"participant-join"}, "SequenceNumber": {"2"},
			"CallSid": {call.Get("CallSid")}, "ParticipantLabel": {"customer"}, "Hold": {"false"}, "Muted": {"false"},
			"Timestamp": {"Thu, 26 Nov 2026 08:00:00 +0000"}}
		if mod != nil {
			mod(f)
		}
		return f
	}
	tests := map[string]struct {
		form url.Values
		sig  string
		want int
	}{
		"signed":                       {form(nil), "", http.StatusNoContent},
		"retried":                      {form(nil), "", http.StatusNoContent},
		"unsigned":                     {form(nil), "bad", http.StatusForbidden},
		"another conference":           {form(func(f url.Values) { f.Set("FriendlyName", "interaction-999") }), "", http.StatusForbidden},
		"not a conference SID":         {form(func(f url.Values) { f.Set("ConferenceSid", "CA0123") }), "", http.StatusBadRequest},
		"an event we did not want":     {form(func(f url.Values) { f.Set("StatusCallbackEvent", "participant-speech-start") }), "", http.StatusBadRequest},
		"a participant without a call": {form(func(f url.Values) { f.Del("CallSid") }), "", http.StatusBadRequest},
	}
	for _, name := range []string{"signed", "retried", "unsigned", "another conference", "not a conference SID",
		"an event we did not want", "a participant without a call"} {
		tc := tests[name]
		t.Run(name, func(t *testing.T) {
			sig := tc.sig
			if sig == "" {
				sig = twiliosim.Sign(testworld.AuthToken, target, tc.form)
			}
			post(t, target, tc.form, sig, tc.want)
		})
	}
	if n := env.Count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind LIKE 'conference_%'`, id); n != 1 {
		t.Fatalf("%d conference events recorded, want 1", n)
	}
}
