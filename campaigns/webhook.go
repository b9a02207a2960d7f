package campaigns

import (
	"net/http"
	"strconv"

	"switchboard"
)

// Handler serves Twilio's webhooks for outbound calls and texts under
// /campaigns/twilio/: answer (the TwiML once a person or a machine
// answered), status (the call ended) and sms-status (delivery reports).
// Mount it behind channels.RequireTwilioSignature, which refuses unsigned
// requests before any parsing.
func (d *Dialer) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /campaigns/twilio/answer", d.twilioForm(func(w http.ResponseWriter, r *http.Request, id int64) error {
		twiml, err := d.Answer(r.Context(), id, r.PostForm.Get("CallSid"), r.PostForm.Get("AnsweredBy"))
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/xml")
		_, err = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + twiml))
		return err
	}))
	mux.HandleFunc("POST /campaigns/twilio/status", d.twilioForm(func(w http.ResponseWriter, r *http.Request, id int64) error {
		st := r.PostForm.Get("CallStatus")
		if st == "queued" || st == "ringing" || st == "in-progress" || st == "initiated" {
			return nil
		}
		return d.Status(r.Context(), id, r.PostForm.Get("CallSid"), st)
	}))
	mux.HandleFunc("POST /campaigns/twilio/sms-status", d.twilioForm(func(w http.ResponseWriter, r *http.Request, id int64) error {
		return d.store.SMSStatus(r.Context(), id, r.PostForm.Get("MessageSid"), r.PostForm.Get("MessageStatus"))
	}))
	return mux
}

// twilioForm parses the form and the attempt id, and answers an error with a
// status and a log line; Twilio retries nothing but logs the failure.
func (d *Dialer) twilioForm(h func(http.ResponseWriter, *http.Request, int64) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		id, err := strconv.ParseInt(r.URL.Query().Get("attempt"), 10, 64)
		if err != nil || r.ParseForm() != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if err := h(w, r, id); err != nil {
			status := http.StatusInternalServerError
			if switchboard.ErrorMessage(err) != "" {
				status = http.StatusBadRequest
			}
			d.log.Warn("campaign webhook", "path", r.URL.Path, "attempt", id, "err", err)
			http.Error(w, http.StatusText(status), status)
		}
	}
}
