// Package api is Switchboard's JSON HTTP API under /api/v1: login, the
// customer view, and the routes other packages add. Handlers are methods on
// Server, which holds their dependencies; every error reaches the wire
// through Error, the one mapping from error kinds to HTTP.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"unicode/utf8"

	"switchboard"
	"switchboard/agents"
	"switchboard/campaigns"
	"switchboard/customers"
	"switchboard/internal/clientip"
)

// Server serves /api/v1. Set its fields, then call Handler once.
type Server struct {
	Log       *slog.Logger
	Agents    *agents.Store
	Customers *customers.Service // the customer routes are served when set
	Campaigns *campaigns.Store   // campaigns, tasks and events are served when set
	Dialer    *campaigns.Dialer  // places agents' preview and triggered calls
	// Guard throttles and audits sign-ins; without one, logins are checked
	// by Agents alone (tests of other routes).
	Guard    *agents.Guard
	ClientIP clientip.Resolver // who sent a request, behind the trusted proxies
}

// Handler returns the routes of the API. Every route but login needs a
// session, and each names the roles allowed to use it.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/login", s.handle(s.handleLogin))
	mux.Handle("POST /api/v1/logout", s.auth(s.handleLogout, switchboard.Roles...))
	mux.Handle("GET /api/v1/me", s.auth(s.handleMe, switchboard.Roles...))
	s.customerRoutes(mux)
	s.campaignRoutes(mux)
	s.eventRoutes(mux)
	mux.Handle("/api/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return switchboard.Errorf(switchboard.ErrNotFound, "no such API route: %s %s", r.Method, r.URL.Path)
	}))
	return mux
}

// handlerFunc is an HTTP handler that returns its error instead of writing
// it, so that errors are written in one place.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := checkQuery(r)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			Error(s.Log, w, r, err)
		}
	})
}

// checkQuery refuses query parameters that no handler can use and that
// Postgres would refuse deep inside one (a 500): a NUL, or bytes that are
// not UTF-8.
func checkQuery(r *http.Request) error {
	for k, vs := range r.URL.Query() {
		for _, v := range append(vs, k) {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return switchboard.Errorf(switchboard.ErrInvalid, "query parameter %q holds a NUL or bytes that are not UTF-8", k)
			}
		}
	}
	return nil
}

type agentKey struct{}

// auth lets the request through only with a live session of one of roles,
// and puts the agent in the request's context (see AgentFrom).
func (s *Server) auth(h handlerFunc, roles ...switchboard.Role) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.Agents.Authenticate(r.Context(), SessionToken(r))
		if err != nil {
			return err
		}
		if !a.Can(roles...) {
			return switchboard.Errorf(switchboard.ErrForbidden, "the %s role may not %s %s", a.Role, r.Method, r.URL.Path)
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), agentKey{}, a)))
	})
}

// AgentFrom returns the authenticated agent of a request that passed auth.
func AgentFrom(ctx context.Context) *switchboard.Agent {
	a, _ := ctx.Value(agentKey{}).(*switchboard.Agent)
	return a
}

// SessionCookie is the cookie the desk pages keep the session token in.
const SessionCookie = "sb_session"

// SessionToken is the request's session token: "Authorization: Bearer …"
// for API clients, the session cookie for the desk pages.
func SessionToken(r *http.Request) string {
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		return strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value
	}
	return ""
}
