package api

import (
	"net/http"

	"switchboard"
)

// agentRoutes are the administration of staff.
func (s *Server) agentRoutes(mux *http.ServeMux) {
	mux.Handle("POST /api/v1/agents/{id}/deactivate", s.auth(s.handleDeactivate, switchboard.RoleAdmin))
}

// handleDeactivate stops an agent from working: no more sign-ins, and their
// open desks close on every node.
func (s *Server) handleDeactivate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Agents.Deactivate(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
