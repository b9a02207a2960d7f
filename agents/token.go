package agents

import (
	"net/http"
	"strings"
)

// SessionCookie is the cookie the desk pages keep the session token in.
const SessionCookie = "sb_session"

// SessionToken is the request's session token: "Authorization: Bearer …"
// for API clients, the session cookie for the desk pages.
func SessionToken(r *http.Request) string {
	token, _ := SessionTokenFrom(r)
	return token
}

// SessionTokenFrom is SessionToken, and whether it came from the cookie,
// which a browser sends by itself, even on a request another site made it
// send: such a request must prove it comes from the bank's own pages.
func SessionTokenFrom(r *http.Request) (token string, cookie bool) {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")), false
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value, true
	}
	return "", false
}
