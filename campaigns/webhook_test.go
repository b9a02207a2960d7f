package campaigns

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"switchboard/channels/twiliosim"
	"switchboard/routing"
)

// verb is one TwiML verb as parsed, with its attributes and text.
type verb struct {
	Name  string
	Attrs map[string]string
	Text  string
	Inner []verb
}

// parseTwiML parses a TwiML document into its verbs under <Response>.
func parseTwiML(t *testing.T, doc string) []verb {
	t.Helper()
	var raw struct {
		XMLName xml.Name
		Verbs   []rawVerb `xml:",any"`
	}
	if err := xml.Unmarshal([]byte(doc), &raw); err != nil {
		t.Fatalf("TwiML %q: %v", doc, err)
	}
	if raw.XMLName.Local != "Response" {
		t.Fatalf("TwiML root is <%s>, want <Response>", raw.XMLName.Local)
	}
	return toVerbs(raw.Verbs)
}

type rawVerb struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Inner   []rawVerb  `xml:",any"`
}

func toVerbs(rs []rawVerb) []verb {
	var out []verb
	for _, r := range rs {
		v := verb{Name: r.XMLName.Local, Attrs: map[string]string{}, Text: strings.TrimSpace(r.Text), Inner: toVerbs(r.Inner)}
		for _, a := range r.Attrs {
			v.Attrs[a.Name.Local] = a.Value
		}
		out = append(out, v)
	}
	return out
}

func verbNames(vs []verb) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Name)
	}
	return out
}

// twimlTee records the TwiML our webhook answered to each answer request,
// by attempt, on its way back to the simulator.
type twimlTee struct {
	next http.Handler
	mu   sync.Mutex
	docs map[string]string // attempt id → TwiML
}

func (tt *twimlTee) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/campaigns/twilio/answer" {
		tt.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	tt.next.ServeHTTP(rec, r)
	tt.mu.Lock()
	tt.docs[r.URL.Query().Get("attempt")] = rec.Body.String()
	tt.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

// doc returns the TwiML served for attempt, waiting for the response to be
// written (routing may offer the call before it is).
func (tt *twimlTee) doc(t *testing.T, attempt int64) string {
	t.Helper()
	var d string
	eventually(t, "the answer webhook of attempt "+itoa(attempt), func() bool {
		tt.mu.Lock()
		defer tt.mu.Unlock()
		var ok bool
		d, ok = tt.docs[itoa(attempt)]
		return ok
	})
	return d
}

func tee(r *rig) *twimlTee {
	tt := &twimlTee{next: r.hooks.Config.Handler, docs: map[string]string{}}
	r.hooks.Config.Handler = tt
	return tt
}

// TestMachineAnswer: the simulator answers with a machine and posts the
// signed answer webhook, as Twilio's answering-machine detection does. A
// campaign that leaves voicemail answers with its message and a hang-up and
// finishes the contact; one that retries hangs up and calls again later.
// An unsigned webhook for the same call is refused and changes nothing.
func TestMachineAnswer(t *testing.T) {
	const voicemail = "您好，这里是招商银行。We have news about your deposit; please call us on 95588."
	tests := map[string]struct {
		action  string
		verbs   []string
		result  string
		state   string
		retryIn time.Duration // when the contact is called again, from the answer
	}{
		"voicemail":         {action: "voicemail", verbs: []string{"Say", "Hangup"}, result: "voicemail", state: "done"},
		"hang up and retry": {action: "retry", verbs: []string{"Hangup"}, result: "machine", state: "pending", retryIn: 2 * time.Hour},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			const number = "+8613900000061"
			w := newWorld(t, monday.Add(2*time.Hour), twiliosim.Answering{ByNumber: map[string]string{number: "machine"}})
			r := w.rig("node-a", DialerConfig{})
			hooks := tee(r)
			agent := addAgent(t, r.pool, "li.na", "agent")
			addCustomer(t, r.pool, cust{name: "Chen Mei", phone: number})
			c := voiceCampaign("deposit news", Progressive, []int64{agent.ID})
			c.Rules.MachineAction = tc.action
			if tc.action == "voicemail" {
				c.Rules.Voicemail = voicemail
			}
			mustCreateScheduled(t, r, c)
			if _, err := r.dialer.Step(ctx); err != nil {
				t.Fatal(err)
			}
			settle(t, r.pool)

			var attempt int64
			var result, answeredBy, sid, state, outcome string
			var nextAt time.Time
			var interactions int
			err := r.pool.QueryRow(ctx, `SELECT a.id, a.result, a.answered_by, a.provider_sid, k.state, k.outcome, k.next_at,
					(SELECT count(*) FROM interactions)
				FROM outreach_attempts a JOIN campaign_contacts k ON k.id = a.contact_id WHERE a.campaign_id = $1`, c.ID).
				Scan(&attempt, &result, &answeredBy, &sid, &state, &outcome, &nextAt, &interactions)
			if err != nil {
				t.Fatal(err)
			}
			verbs := parseTwiML(t, hooks.doc(t, attempt))
			if !slices.Equal(verbNames(verbs), tc.verbs) {
				t.Fatalf("TwiML verbs %v, want %v", verbNames(verbs), tc.verbs)
			}
			if tc.action == "voicemail" && verbs[0].Text != voicemail {
				t.Errorf("<Say> %q, want the campaign's voicemail %q", verbs[0].Text, voicemail)
			}
			if result != tc.result || answeredBy != "machine_start" || state != tc.state || outcome != tc.result || interactions != 0 {
				t.Errorf("attempt %s (answered by %q), contact %s/%s, %d interactions; want %s by machine_start, %s/%s, none",
					result, answeredBy, state, outcome, interactions, tc.result, tc.state, tc.result)
			}
			if tc.retryIn > 0 && !nextAt.Equal(w.clock.Now().Add(tc.retryIn)) {
				t.Errorf("retry at %v, want %v", nextAt, w.clock.Now().Add(tc.retryIn))
			}

			// The same webhook without a valid signature: refused before
			// anything is read, and nothing changes.
			form := url.Values{"CallSid": {sid}, "AnsweredBy": {"human"}, "CallStatus": {"in-progress"}}
			for _, sig := range []string{"", "forged"} {
				req, _ := http.NewRequest("POST", r.hooks.URL+"/campaigns/twilio/answer?attempt="+itoa(attempt), bytes.NewBufferString(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if sig != "" {
					req.Header.Set("X-Twilio-Signature", sig)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode != http.StatusForbidden {
					t.Errorf("answer with signature %q: %d, want 403", sig, res.StatusCode)
				}
			}
			var after string
			r.pool.QueryRow(ctx, `SELECT result FROM outreach_attempts WHERE id = $1`, attempt).Scan(&after)
			if after != tc.result {
				t.Errorf("after unsigned webhooks the attempt is %s, want %s", after, tc.result)
			}
		})
	}
}

// TestAbandonedCall: a person answers, the call is offered through the
// real routing engine to the campaign's agent, who does not take it. At
// 1 s it still waits; past the 2 s wait the dialer abandons it: the
// customer hears the short message and the line drops, routing withdraws
// the offer, the attempt is recorded abandoned and counts in the abandon
// rate, and the contact is called again later.
func TestAbandonedCall(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const number = "+8613900000071"
	w := newWorld(t, monday.Add(2*time.Hour), twiliosim.Answering{ByNumber: map[string]string{number: "human"}})
	w.sim.Phone(twiliosim.Caller{From: number, TalkTime: 24 * time.Hour})
	c := w.centre(t, ctx)
	hooks := tee(c.rig)
	heard := listen(t, ctx, c.engine)
	agent := c.login(t, ctx, "li.na")
	customer := addCustomer(t, c.pool, cust{name: "Chen Mei", phone: number})
	camp := voiceCampaign("wealth review", Progressive, []int64{agent})
	mustCreateScheduled(t, c.rig, camp)
	eventually(t, "the agent is free in routing's recorded presence", func() bool {
		free, _, err := c.store.Agents(ctx, camp)
		return err == nil && free == 1
	})
	answered := w.clock.Now()
	if _, err := c.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	offer := heard.wait(t, "the offer", func(e routing.Event) bool { return e.Kind == routing.EventOffer && e.CustomerID == customer })
	var attempt int64
	if err := c.pool.QueryRow(ctx, `SELECT id FROM outreach_attempts WHERE interaction_id = $1`, offer.InteractionID).Scan(&attempt); err != nil {
		t.Fatal(err)
	}
	verbs := parseTwiML(t, hooks.doc(t, attempt))
	if !slices.Equal(verbNames(verbs), []string{"Dial"}) || len(verbs[0].Inner) != 1 || verbs[0].Inner[0].Name != "Conference" ||
		verbs[0].Inner[0].Text != "interaction-"+itoa(offer.InteractionID) || verbs[0].Inner[0].Attrs["startConferenceOnEnter"] != "false" {
		t.Fatalf("answer TwiML %+v; want the customer held in conference interaction-%d until the agent comes", verbs, offer.InteractionID)
	}

	w.clock.Set(answered.Add(time.Second))
	if _, err := c.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	if r := attemptResult(t, c.rig, attempt); r != "answered" {
		t.Fatalf("after 1 s the attempt is %s, want still answered", r)
	}
	w.clock.Set(answered.Add(2*time.Second + time.Millisecond))
	if _, err := c.dialer.Step(ctx); err != nil {
		t.Fatal(err)
	}
	settle(t, c.pool)
	heard.wait(t, "routing withdraws the abandoned call", func(e routing.Event) bool {
		return e.InteractionID == offer.InteractionID && e.Kind == routing.EventAbandoned
	})
	call := simCall(t, w.sim, number)
	eventually(t, "the customer's line drops", func() bool { return call.Status() == "completed" })
	if !slices.Contains(call.Heard(), "say:"+AbandonMessage) {
		t.Errorf("the customer heard %q, not the abandon message", call.Heard())
	}
	checkAbandonTwiML(t, w.sim, call.SID)

	var result, reason, state, outcome string
	var nextAt time.Time
	err := c.pool.QueryRow(ctx, `SELECT a.result, a.reason, k.state, k.outcome, k.next_at FROM outreach_attempts a
		JOIN campaign_contacts k ON k.id = a.contact_id WHERE a.id = $1`, attempt).Scan(&result, &reason, &state, &outcome, &nextAt)
	if err != nil {
		t.Fatal(err)
	}
	retry := w.clock.Now().Add(camp.Rules.RetryNoAnswer)
	if result != "abandoned" || state != "pending" || outcome != "abandoned" || !nextAt.Equal(retry) {
		t.Errorf("attempt %s (%s), contact %s/%s next at %v; want abandoned, pending/abandoned at %v",
			result, reason, state, outcome, nextAt, retry)
	}
	f, err := c.store.Figures(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.store.Results(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f.Answered != 1 || f.Abandon != 1 || f.AbandonRate() != 1 || res.Abandoned != 1 || res.AbandonRate != 1 {
		t.Errorf("figures %+v, results %+v; want 1 answered, 1 abandoned, rate 1", f, res)
	}
}

func attemptResult(t *testing.T, r *rig, id int64) string {
	t.Helper()
	var result string
	if err := r.pool.QueryRow(context.Background(), `SELECT result FROM outreach_attempts WHERE id = $1`, id).Scan(&result); err != nil {
		t.Fatal(err)
	}
	return result
}

// checkAbandonTwiML parses the TwiML the dialer sent to call sid through
// the REST API: the short message, then the hang-up.
func checkAbandonTwiML(t *testing.T, sim *twiliosim.Sim, sid string) {
	t.Helper()
	for _, req := range sim.Requests() {
		if req.Method != "POST" || !strings.HasSuffix(req.Path, "/Calls/"+sid+".json") || req.Form.Get("Twiml") == "" {
			continue
		}
		verbs := parseTwiML(t, req.Form.Get("Twiml"))
		if !slices.Equal(verbNames(verbs), []string{"Say", "Hangup"}) || verbs[0].Text != AbandonMessage {
			t.Errorf("abandon TwiML %+v; want <Say>%s</Say><Hangup/>", verbs, AbandonMessage)
		}
		return
	}
	t.Error("the dialer sent the abandoned call no TwiML")
}
