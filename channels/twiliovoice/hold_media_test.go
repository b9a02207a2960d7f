package twiliovoice_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twiliosim"
	"switchboard/channels/twiliovoice"
	"switchboard/routing"
)

// Hold and resume reach the customer's leg in the interaction's conference
// as a participant update, with the hold music; a call that was never
// bridged cannot be held.
func TestHoldUpdatesTheCustomersParticipant(t *testing.T) {
	env, ch := setup(t)
	env.AddCustomer("Chen Jie", callerPhone, "private")
	agent := env.AddAgent("amy")
	call := env.Sim.Call(twiliosim.Caller{From: callerPhone, Digits: []string{"2", "1"}, Patience: time.Minute, TalkTime: time.Minute})
	env.Eventually("the call's interaction", func() bool {
		return env.Count(`SELECT count(*) FROM interactions WHERE provider_sid = $1`, call.SID) == 1
	})
	id := interactionOfCall(env, call.SID).id
	env.WaitEvent(routing.EventOffer, id)

	if err := ch.Hold(env.Ctx, id, true); !errors.Is(err, switchboard.ErrConflict) {
		t.Fatalf("hold before the bridge = %v, want ErrConflict", err)
	}
	if err := env.Engine.Accept(env.Ctx, agent, id); err != nil {
		t.Fatal(err)
	}
	env.Eventually("the caller is bridged", call.Bridged)
	// The bridge records the legs it placed once Twilio has them, a moment
	// after the caller hears the conference.
	env.Eventually("the bridge recorded", func() bool {
		return env.Count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind = 'bridging'`, id) == 1
	})

	for _, hold := range []bool{true, false} {
		if err := ch.Hold(env.Ctx, id, hold); err != nil {
			t.Fatalf("hold %v: %v", hold, err)
		}
	}
	// Twilio updates a participant by its conference's SID, which the
	// channel looks up by the conference's name.
	var updates []string
	for _, req := range env.Sim.Requests() {
		if req.Method == "GET" && strings.HasSuffix(req.Path, "/Conferences.json") && req.Query.Get("FriendlyName") != "interaction-"+itoa(id) {
			t.Errorf("conference looked up as %q", req.Query.Get("FriendlyName"))
		}
		if req.Method == "POST" && strings.Contains(req.Path, "/Conferences/CF") && strings.HasSuffix(req.Path, "/Participants/"+call.SID+".json") {
			updates = append(updates, req.Form.Get("Hold")+" "+req.Form.Get("HoldUrl"))
		}
	}
	music := twiliovoice.DefaultMenu().HoldMusic
	if want := []string{"true " + music, "false "}; !slices.Equal(updates, want) {
		t.Fatalf("participant updates %q, want %q", updates, want)
	}
	heard := call.Heard()
	if i := slices.Index(heard, "hold:true"); i < 0 || !slices.Contains(heard[i:], "hold:false") {
		t.Fatalf("the caller's leg heard %v, want hold:true then hold:false", heard)
	}
}
