package twilio_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
)

const (
	publicURL = "https://switchboard.example:8443"
	authToken = "sigtoken0123456789"
)

// TestRequireSignature: only a request signed for the configured public
// URL, with its body unchanged, reaches the handler, which then reads the
// same body and form; anything else is refused with only a status.
func TestRequireSignature(t *testing.T) {
	form := url.Values{"CallSid": {"CA0123"}, "From": {"+8613700137000"}, "Digits": {"1"}}
	target := publicURL + "/channels/twilio/voice?i=7"
	signed := twiliosim.Sign(authToken, target, form)
	tests := map[string]struct {
		method, ctype, sig, body string
		want                     int
	}{
		"signed":                  {"POST", "application/x-www-form-urlencoded", signed, form.Encode(), http.StatusOK},
		"no signature":            {"POST", "application/x-www-form-urlencoded", "", form.Encode(), http.StatusForbidden},
		"not base64":              {"POST", "application/x-www-form-urlencoded", "%%%", form.Encode(), http.StatusForbidden},
		"body changed":            {"POST", "application/x-www-form-urlencoded", signed, strings.Replace(form.Encode(), "Digits=1", "Digits=2", 1), http.StatusForbidden},
		"signed for another host": {"POST", "application/x-www-form-urlencoded", twiliosim.Sign(authToken, "https://evil.example/channels/twilio/voice?i=7", form), form.Encode(), http.StatusForbidden},
		"signed with another key": {"POST", "application/x-www-form-urlencoded", twiliosim.Sign("othertoken", target, form), form.Encode(), http.StatusForbidden},
		"not a form":              {"POST", "application/json", signed, `{"CallSid":"CA0123"}`, http.StatusBadRequest},
		"too large":               {"POST", "application/x-www-form-urlencoded", signed, "Body=" + strings.Repeat("a", twilio.MaxWebhookBody), http.StatusRequestEntityTooLarge},
		"a GET signed on its URL": {"GET", "", twiliosim.Sign(authToken, target, nil), "", http.StatusOK},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var got url.Values
			var body string
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				body = string(b)
				r.ParseForm()
				got = r.PostForm
			})
			req := httptest.NewRequest(tc.method, "/channels/twilio/voice?i=7", strings.NewReader(tc.body))
			req.Host = "internal:8080" // a proxy's rewrite: never what is checked
			if tc.ctype != "" {
				req.Header.Set("Content-Type", tc.ctype)
			}
			if tc.sig != "" {
				req.Header.Set("X-Twilio-Signature", tc.sig)
			}
			rec := httptest.NewRecorder()
			twilio.RequireSignature(authToken, publicURL+"/", nil, next).ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
			if tc.want != http.StatusOK {
				if got != nil || strings.TrimSpace(rec.Body.String()) != http.StatusText(tc.want) {
					t.Fatalf("refused with %q, handler ran: %v", rec.Body.String(), got != nil)
				}
				return
			}
			if body != tc.body || (tc.method == "POST" && got.Get("Digits") != "1") {
				t.Fatalf("the handler read %q and form %v", body, got)
			}
		})
	}
}
