package webchat

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"

	"switchboard"
	"switchboard/interactions"
	"switchboard/phone"
)

const (
	maxFrame = 8 << 10
	maxBody  = 2000
	maxName  = 80
)

// inFrame is a frame from the customer. Unknown fields are refused: the
// widget is ours, so anything else is not a widget.
type inFrame struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Language    string `json:"language,omitempty"`
	Token       string `json:"token,omitempty"`
	Resume      string `json:"resume,omitempty"`
	LastSeen    int64  `json:"last_seen,omitempty"`
	ClientMsgID string `json:"client_msg_id,omitempty"`
	Body        string `json:"body,omitempty"`
	Typing      bool   `json:"typing,omitempty"`
	Accept      bool   `json:"accept,omitempty"`
}

var clientMsgID = regexp.MustCompile(`^[A-Za-z0-9_.:-]{1,64}$`)

// parseFrame decodes and checks one frame; every failure is ErrInvalid
// with a message the widget can show.
func parseFrame(data []byte, region string) (inFrame, error) {
	var f inFrame
	if len(data) > maxFrame {
		return f, bad("frame larger than %d bytes", maxFrame)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return inFrame{}, bad("frame is not a JSON object of known fields")
	}
	if dec.More() {
		return inFrame{}, bad("one JSON object per frame")
	}
	switch f.Type {
	case "hello":
		return f, checkHello(&f, region)
	case "message":
		return f, checkMessage(&f)
	case "typing", "sms":
		return f, nil
	}
	return inFrame{}, bad("unknown frame type %q", clip(f.Type))
}

func checkHello(f *inFrame, region string) error {
	f.Name = strings.TrimSpace(f.Name)
	if !utf8.ValidString(f.Name) || utf8.RuneCountInString(f.Name) > maxName || strings.ContainsAny(f.Name, "<>\x00") {
		return bad("name must be at most %d characters, without < or >", maxName)
	}
	if f.Language != "" && f.Language != "zh" && f.Language != "en" {
		return bad("language must be zh or en")
	}
	if f.LastSeen < 0 {
		return bad("last_seen must not be negative")
	}
	if f.Phone != "" {
		p, err := phone.Normalize(f.Phone, region)
		if err != nil {
			return bad("phone: %s", switchboard.ErrorMessage(err))
		}
		f.Phone = p
	}
	if f.Token == "" && f.Resume == "" && f.Name == "" {
		return bad("please give your name")
	}
	return nil
}

func checkMessage(f *inFrame) error {
	if !clientMsgID.MatchString(f.ClientMsgID) {
		return bad("client_msg_id must be 1 to 64 letters, digits or _.:-")
	}
	f.Body = strings.TrimSpace(f.Body)
	if f.Body == "" || !utf8.ValidString(f.Body) || utf8.RuneCountInString(f.Body) > maxBody {
		return bad("a message is 1 to %d characters of text", maxBody)
	}
	return nil
}

// outFrame is a frame to the customer.
type outFrame struct {
	Type          string                 `json:"type"`
	InteractionID int64                  `json:"interaction_id,omitempty"`
	Resume        string                 `json:"resume,omitempty"`
	Messages      []interactions.Message `json:"messages,omitempty"`
	ClientMsgID   string                 `json:"client_msg_id,omitempty"`
	Message       *interactions.Message  `json:"message,omitempty"`
	Typing        bool                   `json:"typing,omitempty"`
	Name          string                 `json:"name,omitempty"`
	Text          string                 `json:"text,omitempty"`
	Error         *frameError            `json:"error,omitempty"`
}

// frameError is the one shape of errors on the chat socket.
type frameError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Temporary bool   `json:"temporary"`
}

// errorFrame maps an error to the wire in the one place for this socket;
// internal failures say only that they are temporary.
func errorFrame(err error) outFrame {
	codes := []struct {
		kind error
		code string
	}{{switchboard.ErrInvalid, "invalid"}, {switchboard.ErrUnauthorized, "unauthorized"}, {switchboard.ErrForbidden, "forbidden"},
		{switchboard.ErrNotFound, "not_found"}, {switchboard.ErrConflict, "conflict"}, {switchboard.ErrUnavailable, "unavailable"}}
	for _, c := range codes {
		if errors.Is(err, c.kind) {
			return outFrame{Type: "error", Error: &frameError{Code: c.code, Message: switchboard.ErrorMessage(err),
				Temporary: c.kind == switchboard.ErrUnavailable}}
		}
	}
	return outFrame{Type: "error", Error: &frameError{Code: "internal", Message: "something went wrong; please try again", Temporary: true}}
}

func bad(format string, args ...any) error {
	return switchboard.Errorf(switchboard.ErrInvalid, format, args...)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
