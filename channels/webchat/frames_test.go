package webchat

import (
	"errors"
	"testing"
	"time"

	"switchboard"
)

func FuzzParseFrame(f *testing.F) {
	for _, s := range []string{
		`{"type":"hello","name":"Ann","phone":"13800138000","language":"zh"}`,
		`{"type":"hello","resume":"abc.def","last_seen":4}`,
		`{"type":"message","client_msg_id":"m1","body":"你好"}`,
		`{"type":"typing","typing":true}`, `{"type":"sms","accept":true}`,
		`{}`, `[]`, `null`, `{"type":"message"}{"type":"message"}`, `{"type":"hello","name":"<script>"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fr, err := parseFrame(data, "CN")
		if err != nil {
			if !errors.Is(err, switchboard.ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			return
		}
		switch fr.Type {
		case "hello", "message", "typing", "sms":
		default:
			t.Fatalf("accepted frame type %q", fr.Type)
		}
		if fr.Type == "message" && (fr.Body == "" || !clientMsgID.MatchString(fr.ClientMsgID)) {
			t.Fatalf("accepted message %+v", fr)
		}
	})
}

func TestTokens(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	exp := now.Add(2 * time.Hour)
	tok := resumeToken(key, 42, exp)
	if id, err := verifyResume(key, tok, now.Add(time.Hour)); err != nil || id != 42 {
		t.Fatalf("resume %d %v", id, err)
	}
	tests := map[string]string{
		"other key":         resumeToken([]byte("another key another key another k"), 42, exp),
		"sign-in as resume": sign(key, "cust", []byte("42")),
		"tampered":          tok[:len(tok)-2] + "AA",
		"no dot":            "abc",
		"expired":           resumeToken(key, 42, now.Add(-time.Second)),
		"without expiry":    sign(key, "resume", []byte("42")), // as they were once made
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := verifyResume(key, tok, now); !errors.Is(err, switchboard.ErrUnauthorized) {
				t.Fatalf("accepted: %v", err)
			}
		})
	}
}
