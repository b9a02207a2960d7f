// Package api is Switchboard's JSON HTTP API under /api/v1: login, the
// customer view, and the routes other packages add. Handlers are methods on
// Server, which holds their dependencies; every error reaches the wire
// through Error, the one mapping from error kinds to HTTP.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
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
	// Origin is where the desk pages are served from (scheme://host[:port]
	// of the public URL): the only origin whose cookie-authenticated
	// writes are accepted.
	Origin string
}

// Handler returns the routes of the API. Every route but login needs a
// session, and each names the roles allowed to use it.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /api/v1/login", s.handle(s.handleLogin))
	mux.Handle("POST /api/v1/logout", s.auth(s.handleLogout, switchboard.Roles...))
	mux.Handle("GET /api/v1/me", s.auth(s.handleMe, switchboard.Roles...))
	s.agentRoutes(mux)
	s.customerRoutes(mux)
	s.campaignRoutes(mux)
	s.eventRoutes(mux)
	mux.Handle("/api/", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		if allow := allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return errorWithStatus(http.StatusMethodNotAllowed, "method_not_allowed",
				fmt.Sprintf("%s %s: this route takes %s", r.Method, r.URL.Path, strings.Join(allow, ", ")))
		}
		return switchboard.Errorf(switchboard.ErrNotFound, "no such API route: %s %s", r.Method, r.URL.Path)
	}))
	return mux
}

// allowed lists the methods some route of mux serves at r's path, for a 405
// that tells the client which to use. The catch-all "/api/" does not count.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/api/" {
			out = append(out, m)
		}
	}
	if slices.Contains(out, http.MethodGet) {
		out = slices.Insert(out, 1, http.MethodHead)
	}
	return out
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
		token, cookie := agents.SessionTokenFrom(r)
		a, err := s.Agents.Authenticate(r.Context(), token)
		if err != nil {
			return err
		}
		if cookie {
			if err := s.checkBrowserWrite(r); err != nil {
				return err
			}
		}
		if n, ok := r.Context().Value(accessKey{}).(*AccessNote); ok {
			n.agentID.Store(a.ID)
		}
		if !a.Can(roles...) {
			return switchboard.Errorf(switchboard.ErrForbidden, "the %s role may not %s %s", a.Role, r.Method, r.URL.Path)
		}
		return h(w, r.WithContext(context.WithValue(r.Context(), agentKey{}, a)))
	})
}

// AccessNote is where auth notes who made a request, for an access log
// wrapped around the API (see WithAccessNote).
type AccessNote struct{ agentID atomic.Int64 }

// AgentID is the authenticated agent of the request, or 0.
func (n *AccessNote) AgentID() int64 { return n.agentID.Load() }

type accessKey struct{}

// WithAccessNote returns a context in which auth notes the request's
// agent in the returned note.
func WithAccessNote(ctx context.Context) (context.Context, *AccessNote) {
	n := &AccessNote{}
	return context.WithValue(ctx, accessKey{}, n), n
}

// AgentFrom returns the authenticated agent of a request that passed auth.
func AgentFrom(ctx context.Context) *switchboard.Agent {
	a, _ := ctx.Value(agentKey{}).(*switchboard.Agent)
	return a
}

// checkBrowserWrite refuses a request that changes something on the
// strength of the cookie alone unless it comes from the bank's own pages:
// its Origin must be Server.Origin, and a body must be JSON, which no
// form on another site can send without CORS (which we never allow). So a
// page elsewhere cannot make an agent's browser act for them.
func (s *Server) checkBrowserWrite(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	if !s.sameOrigin(r) {
		return switchboard.Errorf(switchboard.ErrForbidden, "a request made with the session cookie must come from %s", s.origin(r))
	}
	if r.ContentLength == 0 {
		return nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return switchboard.Errorf(switchboard.ErrInvalid, "the body must be JSON (Content-Type: application/json)")
	}
	return nil
}

// sameOrigin reports whether the request's Origin is the bank's own. A
// request without one is not: browsers send it on every POST.
func (s *Server) sameOrigin(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Origin"), s.origin(r))
}

// origin is Server.Origin or, when it is not set, the request's own host.
func (s *Server) origin(r *http.Request) string {
	if s.Origin != "" {
		return s.Origin
	}
	scheme := "http"
	if s.ClientIP.HTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
