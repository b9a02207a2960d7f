package twiliosim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
)

const (
	accountSID = "AC00000000000000000000000000000002"
	authToken  = "conftoken0123456789abcdef"
	bankNumber = "+8657188880000"
	customer   = "+8613700137000"
	room       = "interaction-7"
)

// bank is the application side of a conference test: it answers the
// customer's call with a <Conference>, and records every conference status
// callback whose signature twilio-go's validator accepts.
type bank struct {
	t        *testing.T
	srv      *httptest.Server
	twiml    string
	events   chan url.Values
	stray    chan string
	rest     *twilio.Client
	sim      *twiliosim.Sim
	simURL   string
	validate client.RequestValidator
}

func newBank(t *testing.T, twimlFor func(base string) string) *bank {
	b := &bank{t: t, events: make(chan url.Values, 64), stray: make(chan string, 64), validate: client.NewRequestValidator(authToken)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /voice", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, twimlFor(b.srv.URL))
	})
	mux.HandleFunc("POST /status", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("POST /conference", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		params := map[string]string{}
		for k, v := range r.PostForm {
			params[k] = v[0]
		}
		if !b.validate.Validate(b.srv.URL+r.URL.RequestURI(), params, r.Header.Get("X-Twilio-Signature")) {
			b.stray <- "bad signature on " + r.PostForm.Get("StatusCallbackEvent")
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			b.stray <- "content type " + ct
		}
		b.events <- r.PostForm
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /ignored", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		b.stray <- "callback of a later participant used: " + r.PostForm.Get("StatusCallbackEvent")
	})
	b.srv = httptest.NewServer(mux)
	t.Cleanup(b.srv.Close)
	b.sim = twiliosim.New(twiliosim.Config{AccountSID: accountSID, AuthToken: authToken, Number: bankNumber,
		VoiceURL: b.srv.URL + "/voice", VoiceStatusURL: b.srv.URL + "/status", Speed: 100})
	api := httptest.NewServer(b.sim.Handler())
	t.Cleanup(api.Close)
	b.simURL = api.URL
	rest, err := twilio.NewClient(api.URL, accountSID, authToken)
	if err != nil {
		t.Fatal(err)
	}
	b.rest = rest
	return b
}

// next waits for the next conference callback.
func (b *bank) next() url.Values {
	b.t.Helper()
	select {
	case f := <-b.events:
		return f
	case s := <-b.stray:
		b.t.Fatal(s)
	case <-time.After(10 * time.Second):
		b.t.Fatal("no conference callback within 10 s")
	}
	return nil
}

// addAgent adds the agent's softphone with the Participants API.
func (b *bank) addAgent(start, endOnExit bool, callback string) string {
	b.t.Helper()
	p := &api.CreateParticipantParams{}
	p.SetFrom(bankNumber).SetTo("client:agent_1").SetLabel("agent").SetStartConferenceOnEnter(start).
		SetEndConferenceOnExit(endOnExit).SetConferenceStatusCallback(b.srv.URL + callback).
		SetConferenceStatusCallbackEvent([]string{"start", "end", "join", "leave", "hold"})
	res, err := b.rest.API(context.Background()).CreateParticipant(room, p)
	if err != nil {
		b.t.Fatalf("create participant: %v", err)
	}
	return *res.CallSid
}

func (b *bank) hold(who string, hold bool) {
	b.t.Helper()
	p := &api.UpdateParticipantParams{}
	p.SetHold(hold)
	res, err := b.rest.API(context.Background()).UpdateParticipant(b.conferenceSID(), who, p)
	if err != nil {
		b.t.Fatalf("hold %s: %v", who, err)
	}
	if res.Hold == nil || *res.Hold != hold {
		b.t.Fatalf("participant hold = %v after setting %v", res.Hold, hold)
	}
}

func (b *bank) conferenceSID() string {
	b.t.Helper()
	c, err := b.rest.API(context.Background()).FetchConference(room, nil)
	if err != nil {
		b.t.Fatalf("fetch conference: %v", err)
	}
	return *c.Sid
}

// want is what one callback must carry; "" fields are not checked, and
// leg names the participant ("customer", "agent").
type want struct {
	event, leg, hold, start, endOnExit, reason string
}

// Both ways into a conference send Twilio's conference status callbacks,
// signed, in order: the first participant to join fixes the callback for
// the conference, later participants' callbacks are ignored; hold and
// unhold through the Participants API; when the end-on-exit leg leaves,
// every other leg leaves and the conference ends.
func TestConferenceStatusCallbacks(t *testing.T) {
	tests := map[string]struct {
		twiml        string // the customer's <Conference> attributes
		agentFirst   bool
		agentStart   bool
		agentEndExit bool
		agentCB      string
		hold         string // who is held
		end          func(b *bank, customerSID string)
		want         []want
		ended        string
	}{
		"customer by TwiML first, agent by the Participants API": {
			twiml:      `statusCallback="/conference" statusCallbackEvent="start end join leave hold" startConferenceOnEnter="true" endConferenceOnExit="true" participantLabel="customer"`,
			agentStart: true, agentCB: "/ignored", hold: "customer",
			end: func(b *bank, sid string) {
				p := &api.UpdateCallParams{}
				p.SetStatus("completed")
				if _, err := b.rest.API(context.Background()).UpdateCall(sid, p); err != nil {
					b.t.Fatal(err)
				}
			},
			want: []want{
				{event: "conference-start"},
				{event: "participant-join", leg: "customer", hold: "false", start: "true", endOnExit: "true"},
				{event: "participant-join", leg: "agent", hold: "false", start: "true", endOnExit: "false"},
				{event: "participant-hold", leg: "customer", hold: "true"},
				{event: "participant-unhold", leg: "customer", hold: "false"},
				{event: "participant-leave", leg: "customer", reason: "participant_updated_via_api"},
				{event: "participant-leave", leg: "agent", reason: "conference_ended"},
				{event: "conference-end"},
			},
			ended: "participant-with-end-conference-on-exit-left",
		},
		"agent by the Participants API first, customer by TwiML": {
			twiml:      `statusCallback="/ignored" startConferenceOnEnter="false" endConferenceOnExit="true" participantLabel="customer"`,
			agentFirst: true, agentStart: true, agentCB: "/conference", hold: "agent",
			end: func(b *bank, _ string) {
				if err := b.rest.API(context.Background()).DeleteParticipant(b.conferenceSID(), "customer", nil); err != nil {
					b.t.Fatal(err)
				}
			},
			want: []want{
				{event: "conference-start"},
				{event: "participant-join", leg: "agent", hold: "false", start: "true", endOnExit: "false"},
				{event: "participant-join", leg: "customer", hold: "false", start: "false", endOnExit: "true"},
				{event: "participant-hold", leg: "agent", hold: "true"},
				{event: "participant-unhold", leg: "agent", hold: "false"},
				{event: "participant-leave", leg: "customer", reason: "participant_kicked"},
				{event: "participant-leave", leg: "agent", reason: "conference_ended"},
				{event: "conference-end"},
			},
			ended: "participant-with-end-conference-on-exit-kicked",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			b := newBank(t, func(string) string {
				return `<?xml version="1.0" encoding="UTF-8"?><Response><Dial><Conference ` + tc.twiml + `>` + room + `</Conference></Dial></Response>`
			})
			legs := map[string]string{}
			var got []url.Values
			var call *twiliosim.Call
			if tc.agentFirst {
				legs["agent"] = b.addAgent(tc.agentStart, tc.agentEndExit, tc.agentCB)
				got = append(got, b.next(), b.next()) // start, agent's join
				call = b.sim.Call(twiliosim.Caller{From: customer, Patience: time.Hour, TalkTime: time.Hour})
				legs["customer"] = call.SID
				got = append(got, b.next())
			} else {
				call = b.sim.Call(twiliosim.Caller{From: customer, Patience: time.Hour, TalkTime: time.Hour})
				legs["customer"] = call.SID
				got = append(got, b.next(), b.next())
				legs["agent"] = b.addAgent(tc.agentStart, tc.agentEndExit, tc.agentCB)
				got = append(got, b.next())
			}
			b.hold(tc.hold, true)
			got = append(got, b.next())
			b.hold(legs[tc.hold], false) // by CallSid this time
			got = append(got, b.next())
			tc.end(b, call.SID)
			for len(got) < len(tc.want) {
				got = append(got, b.next())
			}
			checkEvents(t, got, tc.want, legs)
			end := got[len(got)-1]
			if end.Get("ReasonConferenceEnded") != tc.ended || end.Get("CallSidEndingConference") != legs["customer"] ||
				end.Get("ParticipantLabelEndingConference") != "customer" || end.Get("Reason") == "" {
				t.Fatalf("conference-end = %v, want ended by the customer: %s", end, tc.ended)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := call.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			select {
			case f := <-b.events:
				t.Fatalf("a callback after conference-end: %v", f)
			case s := <-b.stray:
				t.Fatal(s)
			default:
			}
		})
	}
}

var conferenceSID = regexp.MustCompile(`^CF[0-9a-f]{32}$`)

func checkEvents(t *testing.T, got []url.Values, want []want, legs map[string]string) {
	t.Helper()
	sid := got[0].Get("ConferenceSid")
	if !conferenceSID.MatchString(sid) {
		t.Fatalf("ConferenceSid %q", sid)
	}
	for i, w := range want {
		f := got[i]
		at, err := time.Parse(time.RFC1123Z, f.Get("Timestamp"))
		switch {
		case f.Get("StatusCallbackEvent") != w.event:
			t.Fatalf("callback %d is %q, want %q; all: %v", i, f.Get("StatusCallbackEvent"), w.event, events(got))
		case f.Get("SequenceNumber") != strconv.Itoa(i+1):
			t.Fatalf("%s: SequenceNumber %q, want %d", w.event, f.Get("SequenceNumber"), i+1)
		case f.Get("ConferenceSid") != sid || f.Get("FriendlyName") != room || f.Get("AccountSid") != accountSID:
			t.Fatalf("%s: conference fields %v", w.event, f)
		case err != nil || time.Since(at) > time.Minute:
			t.Fatalf("%s: Timestamp %q: %v", w.event, f.Get("Timestamp"), err)
		}
		if w.leg == "" {
			if f.Has("CallSid") {
				t.Fatalf("%s carries a CallSid: %v", w.event, f)
			}
			continue
		}
		checks := map[string]string{"CallSid": legs[w.leg], "ParticipantLabel": w.leg, "Hold": w.hold, "Muted": "false",
			"Coaching": "false", "StartConferenceOnEnter": w.start, "EndConferenceOnExit": w.endOnExit, "ReasonParticipantLeft": w.reason}
		for k, v := range checks {
			if v != "" && f.Get(k) != v {
				t.Fatalf("%s of %s: %s = %q, want %q (%v)", w.event, w.leg, k, f.Get(k), v, f)
			}
		}
		if w.event == "participant-leave" && f.Get("ParticipantCallStatus") == "" {
			t.Fatalf("participant-leave without ParticipantCallStatus: %v", f)
		}
	}
}

func events(fs []url.Values) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Get("StatusCallbackEvent"))
	}
	return out
}
