package api

import (
	"net/http"
	"time"

	"switchboard"
	"switchboard/agents"
)

type loginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type agentJSON struct {
	ID        int64                       `json:"id"`
	Username  string                      `json:"username"`
	Name      string                      `json:"name"`
	Role      switchboard.Role            `json:"role"`
	TeamID    int64                       `json:"team_id,omitempty"`
	Skills    []string                    `json:"skills"`
	Languages []string                    `json:"languages"`
	Tiers     []switchboard.ValueTier     `json:"tiers"`
	Capacity  map[switchboard.Channel]int `json:"capacity"`
}

// toAgentJSON writes an empty list as [], never null: an agent with no
// tiers serves none, and a client should not have to tell null from [].
func toAgentJSON(a *switchboard.Agent) agentJSON {
	return agentJSON{ID: a.ID, Username: a.Username, Name: a.Name, Role: a.Role, TeamID: a.TeamID,
		Skills: nonNilSlice(a.Skills), Languages: nonNilSlice(a.Languages), Tiers: nonNilSlice(a.Tiers), Capacity: a.Capacity}
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) error {
	// A sign-in from another site's page would sign the browser in as
	// whoever that page chose (login CSRF).
	if r.Header.Get("Origin") != "" && !s.sameOrigin(r) {
		return switchboard.Errorf(switchboard.ErrForbidden, "sign in from %s", s.origin(r))
	}
	var req loginRequest
	if err := Decode(w, r, &req); err != nil {
		return err
	}
	if req.Username == "" || req.Password == "" {
		return switchboard.Errorf(switchboard.ErrInvalid, "username and password are required")
	}
	sess, err := s.login(r, req)
	if err != nil {
		return err
	}
	// The desk pages use the cookie; API clients use the token. Behind a
	// TLS-terminating proxy r.TLS is nil, so the proxy's word decides.
	http.SetCookie(w, &http.Cookie{Name: agents.SessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.ClientIP.HTTPS(r), Expires: sess.ExpiresAt})
	JSON(w, http.StatusOK, map[string]any{
		"token": sess.Token, "expires_at": sess.ExpiresAt.Format(time.RFC3339), "agent": toAgentJSON(sess.Agent),
	})
	return nil
}

func (s *Server) login(r *http.Request, req loginRequest) (*agents.Session, error) {
	if s.Guard == nil {
		return s.Agents.Login(r.Context(), req.Username, req.Password)
	}
	return s.Guard.Login(r.Context(), agents.Attempt{Username: req.Username, Password: req.Password, Source: s.ClientIP.Addr(r)})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) error {
	if err := s.Agents.Logout(r.Context(), agents.SessionToken(r)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: agents.SessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	JSON(w, http.StatusOK, toAgentJSON(AgentFrom(r.Context())))
	return nil
}
