package campaigns

import (
	"fmt"
	"net/http"
	"strconv"

	"switchboard"
	"switchboard/channels/twilio"
)

// Handler serves Twilio's webhooks for outbound calls and texts under
// /campaigns/twilio/: answer (what the call does once a person or a
// machine answered), status (the call ended) and sms-status (delivery
// reports). Mount it behind twilio.RequireSignature, which refuses
// unsigned requests before any parsing. A failure is answered by
// twilio.Errors with the status of its kind; Twilio retries nothing here
// but logs it.
func (d *Dialer) Handler() http.Handler {
	e := twilio.Errors{Log: d.log, Name: "campaign"}
	mux := http.NewServeMux()
	mux.Handle("POST /campaigns/twilio/answer", e.Serve(attemptForm(func(w http.ResponseWriter, r *http.Request, id int64) error {
		a, err := d.Answer(r.Context(), id, r.PostForm.Get("CallSid"), r.PostForm.Get("AnsweredBy"))
		if err != nil {
			return err
		}
		return d.calls.Answer(w, a.Interaction, a.Say)
	})))
	mux.Handle("POST /campaigns/twilio/status", e.Serve(attemptForm(func(w http.ResponseWriter, r *http.Request, id int64) error {
		st := r.PostForm.Get("CallStatus")
		if st == "queued" || st == "ringing" || st == "in-progress" || st == "initiated" {
			return nil
		}
		return d.Status(r.Context(), id, r.PostForm.Get("CallSid"), st)
	})))
	mux.Handle("POST /campaigns/twilio/sms-status", e.Serve(attemptForm(func(w http.ResponseWriter, r *http.Request, id int64) error {
		return d.store.SMSStatus(r.Context(), id, r.PostForm.Get("MessageSid"), r.PostForm.Get("MessageStatus"))
	})))
	return mux
}

// attemptForm parses the form and the attempt id of a webhook about an
// outreach attempt for h.
func attemptForm(h func(http.ResponseWriter, *http.Request, int64) error) twilio.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, twilio.MaxWebhookBody)
		id, err := strconv.ParseInt(r.URL.Query().Get("attempt"), 10, 64)
		if err != nil || r.ParseForm() != nil {
			return switchboard.Errorf(switchboard.ErrInvalid, "bad request")
		}
		if err := h(w, r, id); err != nil {
			return fmt.Errorf("campaigns: webhook of attempt %d: %w", id, err)
		}
		return nil
	}
}
