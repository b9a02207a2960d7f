package twilio

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"go.opentelemetry.io/otel/trace"

	"switchboard"
)

// Handler is a webhook that returns its failure rather than answering it,
// so that every failure of every Twilio webhook is answered in one place,
// by Errors, from its kind.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Errors answers the failed webhooks of one adapter. Name ("voice", "sms",
// "campaign") begins its log lines; a nil Log logs nothing.
type Errors struct {
	Log  *slog.Logger
	Name string
}

// Serve is h as an http.Handler whose failures are answered with the status
// of their kind (Status) and the error's caller-safe message. A failure on
// our side is 503 "temporarily unavailable", which Twilio may retry: every
// webhook is idempotent.
func (e Errors) Serve(h Handler) http.Handler { return e.serve(h, false) }

// ServeCall is h, a webhook whose answer is the TwiML a live call follows,
// as an http.Handler. A request that is not a real call's (malformed,
// unauthorised, or about another call) is refused with its status, but any
// other failure is answered with TwiML that apologises and hangs up: Twilio
// would read an error page to the caller as "an application error has
// occurred".
func (e Errors) ServeCall(h Handler) http.Handler { return e.serve(h, true) }

func (e Errors) serve(h Handler, call bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		aw := &answerWriter{ResponseWriter: w}
		if err := h(aw, r); err != nil {
			e.write(aw, r, err, call)
		}
	})
}

// Status is the HTTP status that answers a webhook failing with err, by its
// kind; 503 for ErrUnavailable and for a failure of no kind (ours).
func Status(err error) int {
	switch {
	case errors.Is(err, switchboard.ErrInvalid):
		return http.StatusBadRequest
	case errors.Is(err, switchboard.ErrUnauthorized):
		return http.StatusUnauthorized
	case errors.Is(err, switchboard.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, switchboard.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, switchboard.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, switchboard.ErrThrottled):
		return http.StatusTooManyRequests
	}
	return http.StatusServiceUnavailable
}

// write is the one writer of failed webhooks: see Serve and ServeCall.
func (e Errors) write(w *answerWriter, r *http.Request, err error, call bool) {
	log := e.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	attrs := []any{"path", r.URL.Path, "err", err}
	if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
		attrs = append(attrs, "trace_id", sc.TraceID().String())
	}
	status := Status(err)
	switch {
	case w.answered: // mostly Twilio gone before the answer was written
		log.Warn(e.Name+" webhook failed after its answer began", attrs...)
	case call && !notTheCall(status):
		log.Error(e.Name+" webhook failed", attrs...)
		WriteTwiML(w, sorry)
	case status < 500:
		log.Warn(e.Name+" webhook rejected", append(attrs, "status", status)...)
		retryAfter(w, err)
		http.Error(w, switchboard.ErrorMessage(err), status)
	default:
		log.Error(e.Name+" webhook failed", attrs...)
		retryAfter(w, err)
		http.Error(w, "temporarily unavailable", status)
	}
}

// notTheCall reports whether status refuses a request as no real call's.
func notTheCall(status int) bool {
	return status == http.StatusBadRequest || status == http.StatusUnauthorized || status == http.StatusForbidden
}

func retryAfter(w http.ResponseWriter, err error) {
	if d := switchboard.RetryAfter(err); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds()+0.999)))
	}
}

// answerWriter notes whether a handler began its answer before failing,
// when the failure can only be logged.
type answerWriter struct {
	http.ResponseWriter
	answered bool
}

func (w *answerWriter) WriteHeader(status int) {
	w.answered = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *answerWriter) Write(b []byte) (int, error) {
	w.answered = true
	return w.ResponseWriter.Write(b)
}

func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
