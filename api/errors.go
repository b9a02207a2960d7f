package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/trace"

	"switchboard"
)

// kinds maps each error kind to its HTTP status and wire code.
var kinds = []struct {
	kind   error
	status int
	code   string
}{
	{switchboard.ErrInvalid, http.StatusBadRequest, "invalid"},
	{switchboard.ErrUnauthorized, http.StatusUnauthorized, "unauthorized"},
	{switchboard.ErrForbidden, http.StatusForbidden, "forbidden"},
	{switchboard.ErrNotFound, http.StatusNotFound, "not_found"},
	{switchboard.ErrConflict, http.StatusConflict, "conflict"},
	{switchboard.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
	{switchboard.ErrThrottled, http.StatusTooManyRequests, "throttled"},
}

// statusError is an error of the HTTP transport itself (a wrong method or
// body type), with no domain kind: it carries its own status and code.
type statusError struct {
	status        int
	code, message string
}

func (e *statusError) Error() string { return e.message }

func errorWithStatus(status int, code, message string) error {
	return &statusError{status: status, code: code, message: message}
}

// ErrorBody is the JSON of every error response.
type ErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		ID      string `json:"id,omitempty"`
	} `json:"error"`
}

// Error writes err as JSON with the status of its kind. An internal error is
// logged with an ID (the trace ID when tracing is on) and only that ID
// reaches the client.
func Error(log *slog.Logger, w http.ResponseWriter, r *http.Request, err error) {
	var body ErrorBody
	status := http.StatusInternalServerError
	var mbe *http.MaxBytesError
	var se *statusError
	switch {
	case errors.As(err, &se):
		status, body.Error.Code, body.Error.Message = se.status, se.code, se.message
	case errors.As(err, &mbe):
		status, body.Error.Code, body.Error.Message = http.StatusRequestEntityTooLarge, "too_large", "request body too large"
	default:
		for _, k := range kinds {
			if errors.Is(err, k.kind) {
				status, body.Error.Code, body.Error.Message = k.status, k.code, switchboard.ErrorMessage(err)
				break
			}
		}
	}
	if status == http.StatusInternalServerError {
		body.Error.Code, body.Error.Message, body.Error.ID = "internal", "internal error", errorID(r)
		log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error_id", body.Error.ID, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="switchboard"`)
	}
	if after := switchboard.RetryAfter(err); after > 0 && status != http.StatusInternalServerError {
		// Whole seconds, rounded up: 0 would invite an immediate retry.
		w.Header().Set("Retry-After", strconv.Itoa(int((after+time.Second-1)/time.Second)))
	}
	JSON(w, status, body)
}

func errorID(r *http.Request) string {
	if sc := trace.SpanContextFromContext(r.Context()); sc.HasTraceID() {
		return sc.TraceID().String()
	}
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
