package twiliovoice

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard/channels/twilio"
)

// Outbound is the voice side of the campaign dialer (campaigns.Calls):
// campaigns decides whom to call, when, past which gates, and what an
// answer means; Outbound says it to Twilio. It places the calls, with the
// dialer's webhooks under PublicURL/campaigns/twilio/, hangs them up, and
// writes the TwiML of their answers. It is safe for concurrent use.
type Outbound struct {
	publicURL string
	twilio    *twilio.Client
}

// NewOutbound returns the dialer's voice side, reached by Twilio at
// publicURL (SWITCHBOARD_PUBLIC_URL).
func NewOutbound(publicURL string, tw *twilio.Client) *Outbound {
	return &Outbound{publicURL: publicURL, twilio: tw}
}

// errNoSID is a created call without a SID. Its text is the attempt's
// recorded reason, as it has always been.
var errNoSID = errors.New("no call SID")

// Place asks Twilio to call to from from for attempt attemptID, with
// answering-machine detection: Twilio fetches the answer webhook once it
// knows whether a person or a machine picked up, and posts the status
// callback when the call ends. It returns the call's SID. The error of a
// refused call is Twilio's own, unwrapped: the dialer records its text as
// the attempt's reason.
func (o *Outbound) Place(ctx context.Context, attemptID int64, to, from string) (string, error) {
	q := "?attempt=" + strconv.FormatInt(attemptID, 10)
	p := &api.CreateCallParams{}
	p.SetTo(to).SetFrom(from).
		SetUrl(o.publicURL + "/campaigns/twilio/answer" + q).
		SetStatusCallback(o.publicURL + "/campaigns/twilio/status" + q).
		SetStatusCallbackEvent([]string{"completed"}).
		SetMachineDetection("Enable").SetTimeout(25)
	call, err := o.twilio.API(ctx).CreateCall(p)
	if err != nil {
		return "", err
	}
	if call.Sid == nil {
		return "", errNoSID
	}
	return *call.Sid, nil
}

// HangUp ends live call sid, after saying say if it is not empty.
func (o *Outbound) HangUp(ctx context.Context, sid, say string) error {
	p := &api.UpdateCallParams{}
	if say != "" {
		p.SetTwiml(twilio.SayAndHangUp(say))
	} else {
		p.SetStatus("completed")
	}
	_, err := o.twilio.API(ctx).UpdateCall(sid, p)
	return err
}

// Answer answers the dialer's answer webhook with the TwiML of its
// decision: with interactionID not 0, the customer waits in that
// interaction's conference, where the agent's leg joins when the agent
// accepts; otherwise say, if not empty (a voicemail), and the hang-up.
//
// The voice channel's bridge then redirects the waiting customer into the
// same conference; that exit must not end the conference, or the agent who
// has just joined is dropped. (The conference still ends when the customer
// hangs up while alone in it, and the bridge's own seat ends it on exit.)
func (o *Outbound) Answer(w http.ResponseWriter, interactionID int64, say string) error {
	doc := twilio.Hangup
	switch {
	case interactionID != 0:
		doc = twilio.WaitInConference(twilio.ConferenceName(interactionID))
	case say != "":
		doc = twilio.SayAndHangUp(say)
	}
	w.Header().Set("Content-Type", "text/xml") // as the dialer's answers have always been typed
	return twilio.WriteTwiML(w, twilio.Document(doc))
}
