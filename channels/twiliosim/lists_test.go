package twiliosim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
)

const (
	listSID   = "AClists0000000000000000000000000001"
	listToken = "liststoken0001"
)

// TestListMessagesAndCalls lists what the simulator carried through
// twilio-go, which follows Twilio's paging: every message once across
// pages, newest first, filters applied; and calls likewise.
func TestListMessagesAndCalls(t *testing.T) {
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<Response><Message>Thanks, we got it</Message></Response>`)
	}))
	defer hooks.Close()
	sim := twiliosim.New(twiliosim.Config{AccountSID: listSID, AuthToken: listToken, Number: bankNumber, SMSURL: hooks.URL})
	api := httptest.NewServer(sim.Handler())
	defer api.Close()
	rc, err := twilio.NewClient(api.URL, listSID, listToken)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 7 {
		to := fmt.Sprintf("+861390000000%d", i%2)
		if _, err := rc.API(context.Background()).CreateMessage(&openapi.CreateMessageParams{To: &to, From: ptr(bankNumber), Body: ptr(fmt.Sprint("notice ", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sim.Text(context.Background(), "+8613900000009", "hello bank"); err != nil {
		t.Fatal(err)
	}

	all, err := rc.API(context.Background()).ListMessage(&openapi.ListMessageParams{PageSize: ptr(3)})
	if err != nil {
		t.Fatal(err)
	}
	// 7 sent, 1 received, 1 TwiML reply: each once, newest first.
	if len(all) != 9 {
		t.Fatalf("listed %d messages, want 9", len(all))
	}
	seen := map[string]bool{}
	for _, m := range all {
		if seen[*m.Sid] {
			t.Fatalf("message %s listed twice across pages", *m.Sid)
		}
		seen[*m.Sid] = true
	}
	if *all[0].Body != "Thanks, we got it" || *all[1].Direction != "inbound" || *all[8].Body != "notice 0" {
		t.Errorf("not newest first: first %q (%s), last %q", *all[0].Body, *all[1].Direction, *all[8].Body)
	}
	to1, err := rc.API(context.Background()).ListMessage(&openapi.ListMessageParams{To: ptr("+8613900000001"), PageSize: ptr(2)})
	if err != nil || len(to1) != 3 {
		t.Fatalf("To filter: %d messages, %v; want 3", len(to1), err)
	}

	sim.Phone(twiliosim.Caller{From: "+8613900000001"})
	for range 3 {
		if _, err := rc.API(context.Background()).CreateCall(&openapi.CreateCallParams{To: ptr("+8613900000001"), From: ptr(bankNumber),
			Twiml: ptr("<Response><Say>Hello</Say></Response>")}); err != nil {
			t.Fatal(err)
		}
	}
	calls, err := rc.API(context.Background()).ListCall(&openapi.ListCallParams{To: ptr("+8613900000001"), PageSize: ptr(2)})
	if err != nil || len(calls) != 3 {
		t.Fatalf("listed %d calls, %v; want 3", len(calls), err)
	}

	// The request log a developer reads: GET / lists them as JSON.
	resp, err := http.Get(api.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var log struct {
		Requests []struct{ Method, Path string }
		Count    int
	}
	if err := json.NewDecoder(resp.Body).Decode(&log); err != nil || log.Count != len(sim.Requests()) || log.Count < 12 {
		t.Fatalf("GET / = %d requests (%v), simulator has %d", log.Count, err, len(sim.Requests()))
	}
	if log.Requests[0].Method != "POST" || log.Requests[0].Path != "/2010-04-01/Accounts/"+listSID+"/Messages.json" {
		t.Errorf("first request %+v, want the first message's POST", log.Requests[0])
	}
}

func ptr[T any](v T) *T { return &v }
