package webchat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
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

// resumeToken lets the widget that started interaction id resume it until
// exp. It expires, so that a token left in a shared browser does not open
// the conversation's history for good; every resume hands out a fresh one.
func resumeToken(key []byte, id int64, exp time.Time) string {
	return sign(key, "resume", []byte(strconv.FormatInt(id, 10)+":"+strconv.FormatInt(exp.Unix(), 10)))
}

func verifyResume(key []byte, tok string, now time.Time) (int64, error) {
	refused := switchboard.Errorf(switchboard.ErrUnauthorized, "the conversation cannot be resumed; start a new one")
	p, ok := verify(key, "resume", tok)
	ids, exps, cut := strings.Cut(string(p), ":")
	id, err1 := strconv.ParseInt(ids, 10, 64)
	exp, err2 := strconv.ParseInt(exps, 10, 64)
	if !ok || !cut || err1 != nil || err2 != nil || id <= 0 || now.Unix() > exp {
		return 0, refused
	}
	return id, nil
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
