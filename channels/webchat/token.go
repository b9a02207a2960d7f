package webchat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"switchboard"
)

// SignCustomerToken returns a token proving that the bank signed in the
// customer, valid until exp. The bank's web site makes it with the same key.
func SignCustomerToken(key []byte, customerID int64, exp time.Time) string {
	p, _ := json.Marshal(map[string]int64{"cid": customerID, "exp": exp.Unix()})
	return sign(key, "cust", p)
}

// verifyCustomerToken returns the customer id of a valid, unexpired token.
func verifyCustomerToken(key []byte, tok string, now time.Time) (int64, error) {
	p, ok := verify(key, "cust", tok)
	var claims struct {
		CID int64 `json:"cid"`
		Exp int64 `json:"exp"`
	}
	if !ok || json.Unmarshal(p, &claims) != nil || claims.CID <= 0 {
		return 0, switchboard.Errorf(switchboard.ErrUnauthorized, "the sign-in token is not valid")
	}
	if now.Unix() > claims.Exp {
		return 0, switchboard.Errorf(switchboard.ErrUnauthorized, "the sign-in token has expired; sign in again")
	}
	return claims.CID, nil
}

// resumeFor is how long a resume token works. Each resume gives a fresh
// one, so a live conversation never loses it; a token copied from a
// browser stops opening the conversation's history soon after.
const resumeFor = 2 * time.Hour

// resumeToken lets the widget that started interaction id resume it until
// resumeFor after now.
func resumeToken(key []byte, id int64, now time.Time) string {
	p, _ := json.Marshal(map[string]int64{"iid": id, "exp": now.Add(resumeFor).Unix()})
	return sign(key, "resume", p)
}

func verifyResume(key []byte, tok string, now time.Time) (int64, error) {
	p, ok := verify(key, "resume", tok)
	var claims struct {
		IID int64 `json:"iid"`
		Exp int64 `json:"exp"`
	}
	if !ok || json.Unmarshal(p, &claims) != nil || claims.IID <= 0 || now.Unix() > claims.Exp {
		return 0, switchboard.Errorf(switchboard.ErrUnauthorized, "the conversation cannot be resumed; start a new one")
	}
	return claims.IID, nil
}

// sign and verify bind a purpose into the MAC, so a resume token is never
// accepted as a sign-in token or the other way round.
func sign(key []byte, purpose string, payload []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(mac(key, purpose, payload))
}

func verify(key []byte, purpose, tok string) ([]byte, bool) {
	enc := base64.RawURLEncoding
	a, b, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 512 {
		return nil, false
	}
	p, err1 := enc.DecodeString(a)
	m, err2 := enc.DecodeString(b)
	if err1 != nil || err2 != nil || !hmac.Equal(m, mac(key, purpose, p)) {
		return nil, false
	}
	return p, true
}

func mac(key []byte, purpose string, payload []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(purpose + ":"))
	h.Write(payload)
	return h.Sum(nil)
}
