package api

import (
	"net/http"

	"switchboard"
	"switchboard/campaigns"
)

// eventRoutes adds POST /api/v1/events, where the bank's systems (core
// banking, cards, complaints) post customer events. They authenticate as a
// service account of the admin role, with a session like any client: one
// credential store, one audit trail, and a key that is revoked by
// deactivating the account. An event is stored once per external_id and
// turned into outbound tasks by the outreach rules; it also shows as an
// alert in the customer's screen pop.
func (s *Server) eventRoutes(mux *http.ServeMux) {
	if s.Campaigns == nil {
		return
	}
	mux.Handle("POST /api/v1/events", s.auth(s.handleEvent, switchboard.RoleAdmin))
}

// handleEvent answers 201 with the event's id and the tasks it created, or
// 200 with the stored event's tasks when the event was sent before.
func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) error {
	var e campaigns.Event
	if err := Decode(w, r, &e); err != nil {
		return err
	}
	e.ID = 0
	tasks, dup, err := s.Campaigns.Ingest(r.Context(), &e)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if dup {
		status = http.StatusOK
	}
	JSON(w, status, map[string]any{"event_id": e.ID, "duplicate": dup, "tasks": nonNilSlice(tasks)})
	return nil
}
