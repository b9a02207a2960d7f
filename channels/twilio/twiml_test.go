package twilio_test

import (
	"net/http/httptest"
	"testing"

	"github.com/twilio/twilio-go/twiml"

	"switchboard/channels/twilio"
)

// TestTwiMLBytes holds the hand-written TwiML to the bytes Switchboard has
// always sent: the documents were moved here, not changed.
func TestTwiMLBytes(t *testing.T) {
	tests := map[string]struct{ got, want string }{
		"conference name": {twilio.ConferenceName(42), "interaction-42"},
		"hang up":         {twilio.Hangup, "<Response><Hangup/></Response>"},
		"say and hang up": {twilio.SayAndHangUp(`Press <1> & "wait"`),
			`<Response><Say>Press &lt;1&gt; &amp; &#34;wait&#34;</Say><Hangup/></Response>`},
		"say in Chinese": {twilio.SayAndHangUp("抱歉，坐席繁忙。"), "<Response><Say>抱歉，坐席繁忙。</Say><Hangup/></Response>"},
		"wait in conference": {twilio.WaitInConference(twilio.ConferenceName(7)),
			`<Response><Dial><Conference startConferenceOnEnter="false" endConferenceOnExit="false">interaction-7</Conference></Dial></Response>`},
		"no reply": {twilio.NoReply, `<?xml version="1.0" encoding="UTF-8"?><Response/>`},
		"document": {twilio.Document(twilio.Hangup), `<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>`},
	}
	for name, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", name, tc.got, tc.want)
		}
	}
}

// TestApologyIsWhatTheVoiceChannelSaid: a call whose webhook fails hears
// the same TwiML as when the voice channel built it with twilio-go.
func TestApologyIsWhatTheVoiceChannelSaid(t *testing.T) {
	want, err := twiml.Voice([]twiml.Element{
		&twiml.VoiceSay{Message: "对不起，系统繁忙，请稍后再拨。Sorry, we cannot take your call right now. Please call again later."},
		&twiml.VoiceHangup{}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	twilio.Errors{Name: "voice"}.ServeCall(failing(errInternal)).ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Body.String() != want || rec.Code != 200 || rec.Header().Get("Content-Type") != "text/xml; charset=utf-8" {
		t.Fatalf("%d %s %q, want 200 text/xml %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), want)
	}
}

func TestWriteTwiMLKeepsTheHandlersContentType(t *testing.T) {
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Type", "text/xml")
	if err := twilio.WriteTwiML(rec, twilio.NoReply); err != nil || rec.Header().Get("Content-Type") != "text/xml" || rec.Body.String() != twilio.NoReply {
		t.Fatalf("%v %q %q", err, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}
