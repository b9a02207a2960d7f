package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"switchboard"
)

// maxBody bounds every JSON request body; the API takes no large documents.
const maxBody = 1 << 20

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client went away
}

// Decode reads one JSON object into v, strictly: a body that is not
// declared application/json is 415; unknown fields, trailing data and
// oversized bodies are ErrInvalid with a message that says why.
func Decode(w http.ResponseWriter, r *http.Request, v any) error {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return errorWithStatus(http.StatusUnsupportedMediaType, "unsupported_media_type",
			fmt.Sprintf("the body must be JSON, sent with Content-Type: application/json (got %q)", r.Header.Get("Content-Type")))
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return switchboard.Errorf(switchboard.ErrInvalid, "malformed JSON body: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return switchboard.Errorf(switchboard.ErrInvalid, "malformed JSON body: more than one JSON value")
	}
	return nil
}
