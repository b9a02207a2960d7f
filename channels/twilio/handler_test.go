package twilio_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twilio"
)

var errInternal = errors.New("pool closed") // a failure of no kind: ours

func failing(err error) twilio.Handler {
	return func(http.ResponseWriter, *http.Request) error { return err }
}

// TestErrorsAnswerByKind: every failure is answered from its kind, with its
// caller-safe message and never an internal one; a webhook a call follows
// answers a failure on our side with the apology instead.
func TestErrorsAnswerByKind(t *testing.T) {
	wrapped := func(kind error, msg string) error {
		return fmt.Errorf("twiliovoice: open call CA01: %w", switchboard.Errorf(kind, "%s", msg))
	}
	tests := map[string]struct {
		err        error
		status     int
		body       string
		callStatus int // on ServeCall; 200 is the apology
	}{
		"invalid":      {wrapped(switchboard.ErrInvalid, "CallSid is not a call SID"), 400, "CallSid is not a call SID", 400},
		"forbidden":    {wrapped(switchboard.ErrForbidden, "call CA01 is not interaction 7"), 403, "call CA01 is not interaction 7", 403},
		"unauthorized": {switchboard.ErrUnauthorized, 401, "unauthorized", 401},
		"not found":    {wrapped(switchboard.ErrNotFound, "no attempt 9"), 404, "no attempt 9", 200},
		"conflict":     {wrapped(switchboard.ErrConflict, "already exists"), 409, "already exists", 200},
		"unavailable":  {wrapped(switchboard.ErrUnavailable, "Redis is away"), 503, "temporarily unavailable", 200},
		"ours":         {fmt.Errorf("twiliosms: store: %w", errInternal), 503, "temporarily unavailable", 200},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			e := twilio.Errors{Name: "test"}
			rec := httptest.NewRecorder()
			e.Serve(failing(tc.err)).ServeHTTP(rec, httptest.NewRequest("POST", "/hook", nil))
			if rec.Code != tc.status || strings.TrimSpace(rec.Body.String()) != tc.body {
				t.Errorf("Serve: %d %q, want %d %q", rec.Code, rec.Body.String(), tc.status, tc.body)
			}
			rec = httptest.NewRecorder()
			e.ServeCall(failing(tc.err)).ServeHTTP(rec, httptest.NewRequest("POST", "/hook", nil))
			apology := strings.Contains(rec.Body.String(), "<Say>") && strings.HasSuffix(rec.Body.String(), "<Hangup/></Response>")
			if rec.Code != tc.callStatus || apology != (tc.callStatus == 200) {
				t.Errorf("ServeCall: %d %q, want %d (apology %v)", rec.Code, rec.Body.String(), tc.callStatus, tc.callStatus == 200)
			}
		})
	}
}

func TestErrorsSayWhenToComeBack(t *testing.T) {
	rec := httptest.NewRecorder()
	err := switchboard.Throttled(1500*time.Millisecond, "too many attempts")
	twilio.Errors{}.Serve(failing(err)).ServeHTTP(rec, httptest.NewRequest("POST", "/hook", nil))
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "2" {
		t.Fatalf("%d Retry-After %q, want 429 and 2", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// TestErrorsLeaveABegunAnswer: a handler that fails after its answer began
// keeps that answer; the failure is only logged.
func TestErrorsLeaveABegunAnswer(t *testing.T) {
	rec := httptest.NewRecorder()
	h := func(w http.ResponseWriter, r *http.Request) error {
		twilio.WriteTwiML(w, twilio.NoReply)
		return errInternal
	}
	twilio.Errors{}.Serve(h).ServeHTTP(rec, httptest.NewRequest("POST", "/hook", nil))
	if rec.Code != 200 || rec.Body.String() != twilio.NoReply {
		t.Fatalf("%d %q, want the handler's own answer", rec.Code, rec.Body.String())
	}
}
