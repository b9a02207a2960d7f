package twiliosms

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"switchboard"
)

func FuzzParseInbound(f *testing.F) {
	f.Add("MessageSid=SM0123456789abcdef0123456789abcdef&From=%2B8613800138000&To=%2B8657188880000&Body=hi&NumMedia=0")
	f.Add("MessageSid=MM0123456789abcdef0123456789abcdef&From=13800138000&To=%2B8657188880000&NumMedia=1&MediaUrl0=https%3A%2F%2Fx.example%2Fa.jpg")
	f.Add("MessageSid=SM1&From=&Body=%E9%80%80%E8%AE%A2")
	f.Add("NumMedia=-1&MediaUrl0=javascript:1")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in, err := parseInbound(form, "CN", "+8657188880000")
		if err != nil {
			if !errors.Is(err, switchboard.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		if !messageSID.MatchString(in.MessageSID) || in.From == "" || in.From[0] != '+' || (in.Body == "" && len(in.MediaURLs) == 0) {
			t.Fatalf("accepted %+v", in)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add("MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=delivered")
	f.Add("MessageSid=SM0123456789abcdef0123456789abcdef&MessageStatus=failed&ErrorCode=30003")
	f.Add("MessageStatus=bogus&ErrorCode=-1")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		st, err := parseStatus(form)
		if err == nil {
			if _, ok := statusRank[st.Status]; !ok || st.ErrorCode < 0 {
				t.Fatalf("accepted %+v", st)
			}
		} else if !errors.Is(err, switchboard.ErrInvalid) {
			t.Fatalf("error %v is not ErrInvalid", err)
		}
	})
}

func TestKeywords(t *testing.T) {
	tests := map[string]keyword{"STOP": kwStop, " stop ": kwStop, "Stop.": kwStop, "退订": kwStop, "td": kwStop, "UNSUBSCRIBE": kwStop,
		"start": kwStart, "HELP": kwHelp, "info": kwHelp, "stop please": kwNone, "I want to stop my card": kwNone, "": kwNone}
	for body, want := range tests {
		t.Run(body, func(t *testing.T) {
			if got, _ := parseKeyword(body); got != want {
				t.Fatalf("parseKeyword(%q) = %v, want %v", body, got, want)
			}
		})
	}
}

// TestRejectedNumberNotEchoed rejects webhooks whose From or To is not a
// number: the error, which the webhook's log records, does not repeat it.
func TestRejectedNumberNotEchoed(t *testing.T) {
	for name, form := range map[string]url.Values{
		"From": {"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "From": {"+86139123456789876543"}, "Body": {"hi"}},
		"To":   {"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "From": {"+8613800138000"}, "To": {"139123456789876543x"}, "Body": {"hi"}},
	} {
		_, err := parseInbound(form, "CN", "+8657188880000")
		if !errors.Is(err, switchboard.ErrInvalid) || strings.Contains(err.Error(), "139123456789876543") {
			t.Errorf("%s: %v, want ErrInvalid without the number", name, err)
		}
	}
}
