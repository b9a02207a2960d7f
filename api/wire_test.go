package api_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"switchboard/agents"
	"switchboard/api"
	"switchboard/campaigns"
	"switchboard/internal/testenv"
)

// TestWireConventions holds the API to what an integrator expects of HTTP:
// a wrong method is 405 with Allow, a body not declared JSON is 415 with a
// message that says what to send, and durations are whole seconds named
// with their unit.
func TestWireConventions(t *testing.T) {
	pool := testenv.MustOpenDB(t)
	addUsers(t, pool, map[string]string{"mia": "marketing"})
	srv := &api.Server{Log: slog.New(slog.DiscardHandler), Agents: agents.NewStore(pool, time.Hour, time.Now),
		Campaigns: campaigns.NewStore(pool, time.Now)}
	c := serve(t, srv, "mia")

	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/campaigns", "GET, HEAD, POST"},
		{"GET", "/api/v1/login", "POST"},
		{"PATCH", "/api/v1/campaigns/7/state", "POST"},
	} {
		req, _ := http.NewRequest(tc.method, c.url+tc.path, nil)
		req.Header.Set("Authorization", "Bearer "+c.tokens["mia"])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusMethodNotAllowed || res.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s = %d Allow %q, want 405 Allow %q", tc.method, tc.path, res.StatusCode, res.Header.Get("Allow"), tc.allow)
		}
	}
	if code, _ := c.do(t, "mia", "GET", "/api/v1/nothing-here", ""); code != http.StatusNotFound {
		t.Errorf("unknown route = %d, want 404", code)
	}

	req, _ := http.NewRequest("POST", c.url+"/api/v1/login", strings.NewReader(`username=mia&password=x`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body api.ErrorBody
	decodeJSON(t, res, &body)
	if res.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(body.Error.Message, "Content-Type: application/json") {
		t.Errorf("form-encoded login = %d %+v, want 415 naming the content type", res.StatusCode, body)
	}

	start, end := time.Now().UTC().Format(time.RFC3339), time.Now().Add(48*time.Hour).UTC().Format(time.RFC3339)
	camp := `{"name":"card renewal","channel":"sms","template":"Hi {name}","starts_at":"` + start + `","ends_at":"` + end +
		`","rules":{"max_attempts":2,"retry_no_answer_s":7200,"retry_busy_s":900,"retry_machine_s":86400,"machine_action":"retry","abandon_cap":0.03,"sms_per_minute":300}}`
	code, created := c.do(t, "mia", "POST", "/api/v1/campaigns", camp)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, created)
	}
	rules := created["rules"].(map[string]any)
	if rules["retry_no_answer_s"] != 7200.0 || rules["retry_busy_s"] != 900.0 || rules["retry_machine_s"] != 86400.0 {
		t.Errorf("rules came back as %v, want the delays in seconds", rules)
	}
	old := strings.Replace(camp, `"retry_busy_s":900`, `"retry_busy":900000000000`, 1)
	if code, _ := c.do(t, "mia", "POST", "/api/v1/campaigns", old); code != http.StatusBadRequest {
		t.Errorf("a delay without its unit = %d, want 400", code)
	}
}

func decodeJSON(t *testing.T, res *http.Response, v any) {
	t.Helper()
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("decode %s: %v", res.Request.URL.Path, err)
	}
}
