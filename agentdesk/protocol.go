package agentdesk

import (
	"bytes"
	"encoding/json"
	"errors"

	"switchboard"
)

// Version is the protocol version every frame carries in "v". A client that
// sends another version gets an "unsupported_version" error and is closed.
const Version = 1

// inFrame is what a desk sends: every frame has an id the reply names in
// "re", a type, and the type's data.
type inFrame struct {
	V    int             `json:"v"`
	ID   string          `json:"id"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data,omitempty"`
}

// outFrame is what the server sends: a push (no "re"), a reply "ok" or an
// "error" naming the client frame in "re".
type outFrame struct {
	V     int        `json:"v"`
	Type  string     `json:"type"`
	Re    string     `json:"re,omitempty"`
	Data  any        `json:"data,omitempty"`
	Error *wireError `json:"error,omitempty"`
}

// wireError is the error of a frame: a stable code, a message safe to show
// and whether retrying the same frame later may succeed.
type wireError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Temporary bool   `json:"temporary"`
	ID        string `json:"id,omitempty"` // for internal errors: the id in the server's log
}

// wireKinds maps error kinds to wire codes; internal errors are "internal".
var wireKinds = []struct {
	kind      error
	code      string
	temporary bool
}{
	{switchboard.ErrInvalid, "invalid", false},
	{switchboard.ErrUnauthorized, "unauthorized", false},
	{switchboard.ErrForbidden, "forbidden", false},
	{switchboard.ErrNotFound, "not_found", false},
	{switchboard.ErrConflict, "conflict", false},
	{switchboard.ErrUnavailable, "unavailable", true},
	{switchboard.ErrThrottled, "throttled", true},
}

// errorFrame is the one place an error becomes a WebSocket frame. Internal
// errors carry only logID; their text stays in the log.
func errorFrame(re string, err error, logID string) outFrame {
	for _, k := range wireKinds {
		if errors.Is(err, k.kind) {
			return outFrame{V: Version, Type: "error", Re: re,
				Error: &wireError{Code: k.code, Message: switchboard.ErrorMessage(err), Temporary: k.temporary}}
		}
	}
	return outFrame{V: Version, Type: "error", Re: re,
		Error: &wireError{Code: "internal", Message: "internal error", Temporary: true, ID: logID}}
}

// push returns a server-initiated frame of type t.
func push(t string, data any) outFrame { return outFrame{V: Version, Type: t, Data: data} }

// reply returns the "ok" answer to client frame re.
func reply(re string, data any) outFrame { return outFrame{V: Version, Type: "ok", Re: re, Data: data} }

// encode marshals a frame; frames are built from our own types, so a failure
// is a programming error and is reported as an internal error frame.
func encode(f outFrame) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		b, _ = json.Marshal(errorFrame(f.Re, err, "encode"))
	}
	return b
}

// decodeData unmarshals a frame's data strictly: unknown fields are refused,
// so a misspelt field is an error rather than silently ignored.
func decodeData(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return switchboard.Errorf(switchboard.ErrInvalid, "bad data: %v", err)
	}
	return nil
}
