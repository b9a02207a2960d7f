package twiliovoice

import (
	"errors"
	"net/url"
	"testing"

	"switchboard"
)

func FuzzParseCallForm(f *testing.F) {
	f.Add("CallSid=CA0123456789abcdef0123456789abcdef&From=%2B8613800138000&To=%2B8657188880000&CallStatus=ringing", "i=4&step=lang")
	f.Add("CallSid=CA0123456789abcdef0123456789abcdef&From=anonymous&Digits=9", "i=-1")
	f.Add("CallSid=CAx&From=%3Cscript%3E&Digits=1%27", "")
	f.Fuzz(func(t *testing.T, body, query string) {
		form, err1 := url.ParseQuery(body)
		q, err2 := url.ParseQuery(query)
		if err1 != nil || err2 != nil {
			return
		}
		cf, err := parseCallForm(form, q, "CN")
		if err != nil {
			if !errors.Is(err, switchboard.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if !callSID.MatchString(cf.CallSID) || cf.From == "" || cf.Interaction < 0 || !digitsRe.MatchString(cf.Digits) {
			t.Fatalf("accepted %+v", cf)
		}
	})
}

func TestMenuValidate(t *testing.T) {
	tests := map[string]func(*Menu){
		"no intents":       func(m *Menu) { m.Intents = nil },
		"two-key intent":   func(m *Menu) { m.Intents[0].Digit = "12" },
		"unknown language": func(m *Menu) { m.Languages["3"] = "fr" },
		"no default queue": func(m *Menu) { m.DefaultQueue = "" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			m := DefaultMenu()
			mutate(&m)
			if err := m.validate(); !errors.Is(err, switchboard.ErrInvalid) {
				t.Fatalf("validate: %v", err)
			}
		})
	}
	if err := DefaultMenu().validate(); err != nil {
		t.Fatal(err)
	}
}

func FuzzParseConference(f *testing.F) {
	f.Add("ConferenceSid=CF0123456789abcdef0123456789abcdef&FriendlyName=interaction-4&StatusCallbackEvent=participant-join&SequenceNumber=2&CallSid=CA0123456789abcdef0123456789abcdef&ParticipantLabel=agent", "i=4")
	f.Add("ConferenceSid=CF0123456789abcdef0123456789abcdef&StatusCallbackEvent=conference-end&SequenceNumber=9&ReasonConferenceEnded=last-participant-left", "i=1")
	f.Add("ConferenceSid=CFx&StatusCallbackEvent=%3Cscript%3E&SequenceNumber=-1", "i=0")
	f.Fuzz(func(t *testing.T, body, query string) {
		form, err1 := url.ParseQuery(body)
		q, err2 := url.ParseQuery(query)
		if err1 != nil || err2 != nil {
			return
		}
		cf, err := parseConference(form, q)
		if err != nil {
			if !errors.Is(err, switchboard.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if !conferenceSID.MatchString(cf.ConferenceSID) || confKinds[cf.Event] == "" || cf.Interaction <= 0 || cf.Seq < 0 {
			t.Fatalf("accepted %+v", cf)
		}
		for k, v := range cf.Data {
			if s, ok := v.(string); ok && len(s) > 64 {
				t.Fatalf("kept a long %s: %q", k, s)
			}
		}
	})
}
