package api

import (
	"net/http"
	"strconv"

	"switchboard"
	"switchboard/campaigns"
	"switchboard/phone"
)

// campaignRoutes adds outbound campaigns (marketing and administrators
// manage them; supervisors may watch their figures), the holidays on which
// campaigns call nobody, the do-not-call list,
// dispositions of campaign contacts and the outbound tasks in each agent's
// desk.
func (s *Server) campaignRoutes(mux *http.ServeMux) {
	if s.Campaigns == nil {
		return
	}
	manage := []switchboard.Role{switchboard.RoleMarketing, switchboard.RoleAdmin}
	watch := append([]switchboard.Role{switchboard.RoleSupervisor}, manage...)
	staff := []switchboard.Role{switchboard.RoleAgent, switchboard.RoleRM, switchboard.RoleSupervisor, switchboard.RoleAdmin}
	mux.Handle("GET /api/v1/campaigns", s.auth(s.handleCampaigns, watch...))
	mux.Handle("POST /api/v1/campaigns", s.auth(s.handleCampaignCreate, manage...))
	mux.Handle("GET /api/v1/campaigns/holidays", s.auth(s.handleHolidays, manage...))
	mux.Handle("PUT /api/v1/campaigns/holidays", s.auth(s.handleHolidayPut, manage...))
	mux.Handle("DELETE /api/v1/campaigns/holidays", s.auth(s.handleHolidayDelete, manage...))
	mux.Handle("GET /api/v1/campaigns/{id}", s.auth(s.handleCampaign, watch...))
	mux.Handle("POST /api/v1/campaigns/{id}/state", s.auth(s.handleCampaignState, manage...))
	mux.Handle("PUT /api/v1/campaigns/{id}/list", s.auth(s.handleCampaignList, manage...))
	mux.Handle("GET /api/v1/campaigns/{id}/results", s.auth(s.handleCampaignResults, watch...))
	mux.Handle("GET /api/v1/campaigns/{id}/export.csv", s.auth(s.handleCampaignExport, manage...))
	mux.Handle("POST /api/v1/campaign-contacts/{id}/disposition", s.auth(s.handleDisposition, staff...))
	mux.Handle("POST /api/v1/dnc", s.auth(s.handleDNC, append(staff, switchboard.RoleMarketing)...))
	mux.Handle("GET /api/v1/tasks", s.auth(s.handleTasks, staff...))
	mux.Handle("POST /api/v1/tasks/{id}/dial", s.auth(s.handleTaskDial, staff...))
	mux.Handle("POST /api/v1/tasks/{id}/complete", s.auth(s.handleTaskComplete, staff...))
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, switchboard.Errorf(switchboard.ErrInvalid, "id %q is not a positive number", r.PathValue("id"))
	}
	return id, nil
}

func (s *Server) handleCampaigns(w http.ResponseWriter, r *http.Request) error {
	var f campaigns.Filter
	if st := r.URL.Query().Get("state"); st != "" {
		f.States = []campaigns.State{campaigns.State(st)}
	}
	list, err := s.Campaigns.List(r.Context(), f)
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, map[string]any{"campaigns": nonNilSlice(list)})
	return nil
}

func (s *Server) handleCampaignCreate(w http.ResponseWriter, r *http.Request) error {
	var c campaigns.Campaign
	if err := Decode(w, r, &c); err != nil {
		return err
	}
	c.ID, c.CreatedBy = 0, AgentFrom(r.Context()).ID
	if err := s.Campaigns.Create(r.Context(), &c); err != nil {
		return err
	}
	JSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) handleCampaign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Campaigns.Get(r.Context(), id)
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, c)
	return nil
}

// handleCampaignState moves a campaign: {"state": "scheduled"} builds its
// audience and answers its size.
func (s *Server) handleCampaignState(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body struct {
		State campaigns.State `json:"state"`
	}
	if err := Decode(w, r, &body); err != nil {
		return err
	}
	n, err := s.Campaigns.Move(r.Context(), id, body.State)
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, map[string]any{"id": id, "state": body.State, "audience": n})
	return nil
}

// handleCampaignList takes a CSV (customer_id or phone column) as a draft
// campaign's audience.
func (s *Server) handleCampaignList(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := s.Campaigns.SetList(r.Context(), id, http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, map[string]any{"id": id, "customers": n})
	return nil
}

func (s *Server) handleCampaignResults(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	res, err := s.Campaigns.Results(r.Context(), id)
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleCampaignExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Campaigns.Get(r.Context(), id); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="campaign-`+strconv.FormatInt(id, 10)+`.csv"`)
	if err := s.Campaigns.ExportCSV(r.Context(), id, AgentFrom(r.Context()).ID, w); err != nil {
		s.Log.ErrorContext(r.Context(), "campaign export failed midway", "campaign", id, "err", err)
	}
	return nil
}

// handleHolidays lists holidays: ?region=CN those that apply in CN (its
// own and every region's), without it all of them.
func (s *Server) handleHolidays(w http.ResponseWriter, r *http.Request) error {
	hs, err := s.Campaigns.Holidays(r.Context(), r.URL.Query().Get("region"))
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, map[string]any{"holidays": hs})
	return nil
}

// handleHolidayPut adds {"region", "day", "name"} (region "" is every
// region), or renames the holiday already on that day.
func (s *Server) handleHolidayPut(w http.ResponseWriter, r *http.Request) error {
	var h campaigns.Holiday
	if err := Decode(w, r, &h); err != nil {
		return err
	}
	if err := s.Campaigns.PutHoliday(r.Context(), &h); err != nil {
		return err
	}
	JSON(w, http.StatusOK, h)
	return nil
}

// handleHolidayDelete removes ?day=YYYY-MM-DD&region=CN (no region: the
// every-region holiday).
func (s *Server) handleHolidayDelete(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := s.Campaigns.DeleteHoliday(r.Context(), q.Get("region"), q.Get("day")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleDisposition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var d campaigns.Disposition
	if err := Decode(w, r, &d); err != nil {
		return err
	}
	if err := s.Campaigns.Dispose(r.Context(), AgentFrom(r.Context()), id, d); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleDNC(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Phone  string `json:"phone"`
		Reason string `json:"reason"`
	}
	if err := Decode(w, r, &body); err != nil {
		return err
	}
	p, err := phone.Normalize(body.Phone, "CN")
	if err != nil {
		return switchboard.Errorf(switchboard.ErrInvalid, "%q is not a phone number", body.Phone)
	}
	if err := s.Campaigns.AddDNC(r.Context(), AgentFrom(r.Context()), p, body.Reason); err != nil {
		return err
	}
	JSON(w, http.StatusCreated, map[string]string{"phone": p})
	return nil
}

func (s *Server) handleTasks(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.Campaigns.Tasks(r.Context(), AgentFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, map[string]any{"tasks": nonNilSlice(ts)})
	return nil
}

// handleTaskDial places the agent's preview or triggered call, after the
// compliance gates; a refusal is 409 with the reason.
func (s *Server) handleTaskDial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if s.Dialer == nil {
		return switchboard.Errorf(switchboard.ErrUnavailable, "outbound calling is not configured")
	}
	attempt, err := s.Dialer.DialTask(r.Context(), AgentFrom(r.Context()), id)
	if err != nil {
		return err
	}
	JSON(w, http.StatusAccepted, map[string]int64{"task_id": id, "attempt_id": attempt})
	return nil
}

func (s *Server) handleTaskComplete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var o campaigns.TaskOutcome
	if err := Decode(w, r, &o); err != nil {
		return err
	}
	lead, err := s.Campaigns.CompleteTask(r.Context(), AgentFrom(r.Context()), id, o)
	if err != nil {
		return err
	}
	JSON(w, http.StatusOK, map[string]any{"task_id": id, "lead": lead})
	return nil
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
