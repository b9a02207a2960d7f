package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"switchboard/agents"
	"switchboard/api"
	"switchboard/campaigns"
	"switchboard/internal/testenv"
)

// TestEventsAndCampaignsAPI: the bank's service account posts an event
// once (a resend is recognised), the RM sees the task in the desk's task
// list, marketing creates and schedules a campaign, and the roles are kept.
func TestEventsAndCampaignsAPI(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	users := addUsers(t, pool, map[string]string{"zhou": "rm", "core-banking": "admin", "mia": "marketing"})
	rm := users["zhou"]
	var cust int64
	pool.QueryRow(ctx, `INSERT INTO customers (name, phone, value_tier, rm_id, birth_date) VALUES
		('Chen Shufen', '+8613911112222', 'vip', $1, '1949-03-02') RETURNING id`, rm).Scan(&cust)
	store := campaigns.NewStore(pool, time.Now)
	srv := &api.Server{Log: slog.New(slog.DiscardHandler), Agents: agents.NewStore(pool, time.Hour, time.Now), Campaigns: store}
	c := serve(t, srv, "zhou", "core-banking", "mia")
	do := func(user, method, path, body string) (int, map[string]any) {
		t.Helper()
		return c.do(t, user, method, path, body)
	}
	at := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	event := `{"customer_id":` + itoa(cust) + `,"kind":"large_withdrawal","amount":"800000.00","occurred_at":"` + at + `","external_id":"cbs-1"}`
	if code, _ := do("zhou", "POST", "/api/v1/events", event); code != http.StatusForbidden {
		t.Errorf("an RM posting an event: %d, want 403", code)
	}
	code, body := do("core-banking", "POST", "/api/v1/events", event)
	if code != http.StatusCreated || len(body["tasks"].([]any)) != 1 {
		t.Fatalf("event: %d %v", code, body)
	}
	if code, body = do("core-banking", "POST", "/api/v1/events", event); code != http.StatusOK || body["duplicate"] != true {
		t.Errorf("resent event: %d %v", code, body)
	}
	if code, _ = do("core-banking", "POST", "/api/v1/events", `{"customer_id":1,"kind":"lottery"}`); code != http.StatusBadRequest {
		t.Errorf("bad event: %d, want 400", code)
	}
	if code, body = do("zhou", "GET", "/api/v1/tasks", ""); code != http.StatusOK || len(body["tasks"].([]any)) != 1 {
		t.Errorf("RM's tasks: %d %v", code, body)
	}
	start, end := time.Now().UTC().Format(time.RFC3339), time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339)
	camp := `{"name":"wealth review","channel":"voice","dial_mode":"preview","agent_ids":[` + itoa(rm) + `],"starts_at":"` + start + `","ends_at":"` + end + `","audience":{"tiers":["vip"]}}`
	if code, _ = do("zhou", "POST", "/api/v1/campaigns", camp); code != http.StatusForbidden {
		t.Errorf("an RM creating a campaign: %d, want 403", code)
	}
	code, body = do("mia", "POST", "/api/v1/campaigns", camp)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, body)
	}
	id := itoa(int64(body["id"].(float64)))
	if code, body = do("mia", "POST", "/api/v1/campaigns/"+id+"/state", `{"state":"scheduled"}`); code != http.StatusOK || body["audience"].(float64) != 1 {
		t.Errorf("schedule: %d %v", code, body)
	}
	if code, _ = do("mia", "POST", "/api/v1/campaigns/"+id+"/state", `{"state":"draft"}`); code != http.StatusOK {
		t.Errorf("back to draft: %d", code)
	}
	if code, _ = do("mia", "POST", "/api/v1/campaigns/"+id+"/state", `{"state":"completed"}`); code != http.StatusConflict {
		t.Errorf("draft to completed: %d, want 409", code)
	}
	if code, body = do("mia", "GET", "/api/v1/campaigns/"+id+"/results", ""); code != http.StatusOK {
		t.Errorf("results: %d %v", code, body)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
