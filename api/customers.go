package api

import (
	"net/http"
	"strconv"

	"switchboard"
)

// customerRoutes adds the customer view, lookup by phone and search. Who may
// read which customer, and what each role sees (national-ID and account
// numbers masked for some), is the customers package's decision (see
// customers.ReadView); every read is audited with the reason given in
// ?reason=, every search with its query and results.
func (s *Server) customerRoutes(mux *http.ServeMux) {
	if s.Customers == nil {
		return
	}
	// Marketing works with segments and never reads one customer.
	staff := []switchboard.Role{switchboard.RoleAgent, switchboard.RoleRM, switchboard.RoleSupervisor, switchboard.RoleAdmin}
	mux.Handle("GET /api/v1/customers/{id}/view", s.auth(s.handleCustomerView, staff...))
	mux.Handle("GET /api/v1/customers/lookup", s.auth(s.handleCustomerLookup, staff...))
	mux.Handle("GET /api/v1/customers/search", s.auth(s.handleCustomerSearch, staff...))
}

func (s *Server) handleCustomerView(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return switchboard.Errorf(switchboard.ErrInvalid, "customer id %q is not a positive number", r.PathValue("id"))
	}
	v, err := s.Customers.ReadView(r.Context(), AgentFrom(r.Context()), id, r.URL.Query().Get("reason"))
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleCustomerLookup(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if !q.Has("phone") {
		return switchboard.Errorf(switchboard.ErrInvalid, "the phone query parameter is required")
	}
	v, err := s.Customers.ReadByPhone(r.Context(), AgentFrom(r.Context()), q.Get("phone"), q.Get("reason"))
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) handleCustomerSearch(w http.ResponseWriter, r *http.Request) error {
	found, err := s.Customers.Search(r.Context(), AgentFrom(r.Context()), r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, map[string]any{"customers": found})
	return nil
}
