package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"switchboard"
	"switchboard/agents"
)

// TestNULInQueryIsInvalid sends a NUL (and bytes that are not UTF-8) in
// query parameters: 400 with a reason, not a 500 from Postgres.
func TestNULInQueryIsInvalid(t *testing.T) {
	m, base := MustRunMain(t)
	if _, err := m.Agents.Create(context.Background(), agents.NewAgent{Username: "li", Name: "Li", Password: "password-li", Role: switchboard.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	_, login := do(t, "POST", base+"/api/v1/login", "", map[string]string{"username": "li", "password": "password-li"})
	token, _ := login["token"].(string)
	for _, path := range []string{"/api/v1/customers/search?q=Zh%00ang", "/api/v1/customers/lookup?phone=%2B86139%00&reason=x",
		"/api/v1/customers/search?q=Zh%FFang", "/api/v1/campaigns?state=run%00ning", "/api/v1/customers/1/view?reason=a%00"} {
		code, body := do(t, "GET", base+path, token, nil)
		e, _ := body["error"].(map[string]any)
		if code != 400 || e["code"] != "invalid" {
			t.Errorf("GET %s = %d %v, want 400 invalid", path, code, body)
		}
	}
}

// TestTLSBehindATrustedProxy signs in through a TLS-terminating proxy the
// server trusts: the session cookie is Secure and HSTS is sent; the same
// header from anyone else, or plain HTTP, gets neither. Every answer
// keeps the Referer on the bank's origin.
func TestTLSBehindATrustedProxy(t *testing.T) {
	behind := runMain(t, testVars(t, map[string]string{"SWITCHBOARD_TRUSTED_PROXIES": "127.0.0.0/8"}))
	direct := runMain(t, testVars(t, nil))
	for _, m := range []*Main{behind, direct} {
		if _, err := m.Agents.Create(context.Background(), agents.NewAgent{Username: "li", Name: "Li", Password: "password-li", Role: switchboard.RoleAgent}); err != nil {
			t.Fatal(err)
		}
	}
	tests := map[string]struct {
		m      *Main
		proto  string
		secure bool
	}{
		"trusted proxy, https":  {behind, "https", true},
		"trusted proxy, http":   {behind, "http", false},
		"no proxy header":       {behind, "", false},
		"untrusted peer, https": {direct, "https", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", "http://"+tc.m.Addr()+"/api/v1/login", strings.NewReader(`{"username":"li","password":"password-li"}`))
			req.Header.Set("Content-Type", "application/json")
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			cookies := resp.Cookies()
			if resp.StatusCode != 200 || len(cookies) != 1 {
				t.Fatalf("login = %d with %d cookies", resp.StatusCode, len(cookies))
			}
			if cookies[0].Secure != tc.secure {
				t.Errorf("cookie Secure = %v, want %v", cookies[0].Secure, tc.secure)
			}
			if hsts := resp.Header.Get("Strict-Transport-Security"); (hsts != "") != tc.secure {
				t.Errorf("Strict-Transport-Security = %q, want it only over TLS", hsts)
			}
			if rp := resp.Header.Get("Referrer-Policy"); rp != "same-origin" {
				t.Errorf("Referrer-Policy = %q", rp)
			}
		})
	}
}

// TestCookieWritesOnlyFromTheBanksPages posts with the session cookie as a
// page on another site could make a browser do (text/plain, a foreign or
// missing Origin): refused, and nothing changes. The desk's own pages,
// and API clients with a bearer token, are unaffected.
func TestCookieWritesOnlyFromTheBanksPages(t *testing.T) {
	m, base := MustRunMain(t)
	if _, err := m.Agents.Create(context.Background(), agents.NewAgent{Username: "li", Name: "Li", Password: "password-li", Role: switchboard.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	_, login := do(t, "POST", base+"/api/v1/login", "", map[string]string{"username": "li", "password": "password-li"})
	token, _ := login["token"].(string)
	ours := originOf(m.Env.PublicURL)
	post := func(path, origin, ctype, body string, bearer bool) int {
		t.Helper()
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		if bearer {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.AddCookie(&http.Cookie{Name: "sb_session", Value: token})
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	dnc := `{"phone":"+8613912345678","reason":"asked"}`
	refused := map[string]struct {
		path, origin, ctype, body string
		want                      int
	}{
		"text/plain from another site": {"/api/v1/dnc", "https://evil.example", "text/plain", dnc, 403},
		"JSON from another site":       {"/api/v1/dnc", "https://evil.example", "application/json", dnc, 403},
		"no Origin":                    {"/api/v1/dnc", "", "application/json", dnc, 403},
		"text/plain from our page":     {"/api/v1/dnc", ours, "text/plain", dnc, 400},
		"logout from another site":     {"/api/v1/logout", "https://evil.example", "", "", 403},
		"sign-in from another site":    {"/api/v1/login", "https://evil.example", "text/plain", `{"username":"li","password":"password-li"}`, 403},
	}
	for name, tc := range refused {
		if code := post(tc.path, tc.origin, tc.ctype, tc.body, false); code != tc.want {
			t.Errorf("%s: %d, want %d", name, code, tc.want)
		}
	}
	var n int
	m.DB.QueryRow(context.Background(), `SELECT count(*) FROM dnc`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d numbers on the DNC list after refused posts", n)
	}
	if code := post("/api/v1/dnc", "", "application/json", dnc, true); code >= 300 {
		t.Errorf("an API client's bearer post = %d", code)
	}
	if code := post("/api/v1/logout", ours, "", "", false); code != 204 {
		t.Errorf("the desk's own logout = %d, want 204", code)
	}
}

// TestAccessLogNamesClientAndAgent reads the access log of an API call
// made through a trusted proxy: the line names the client behind the
// proxy and the agent who made it.
func TestAccessLogNamesClientAndAgent(t *testing.T) {
	logs := &lockedBuffer{}
	m := runMainLogging(t, testVars(t, map[string]string{"SWITCHBOARD_TRUSTED_PROXIES": "127.0.0.1"}),
		slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	a, err := m.Agents.Create(context.Background(), agents.NewAgent{Username: "li", Name: "Li", Password: "password-li", Role: switchboard.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	_, login := do(t, "POST", "http://"+m.Addr()+"/api/v1/login", "", map[string]string{"username": "li", "password": "password-li"})
	req, _ := http.NewRequest("GET", "http://"+m.Addr()+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+login["token"].(string))
	req.Header.Set("X-Forwarded-For", "198.51.100.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, line := range strings.Split(logs.String(), "\n") {
		var e struct {
			Msg, Path, Client string
			Agent             int64
		}
		if json.Unmarshal([]byte(line), &e) == nil && e.Msg == "http" && e.Path == "/api/v1/me" {
			if e.Client != "198.51.100.4" || e.Agent != a.ID {
				t.Fatalf("access log: %s; want client 198.51.100.4 and agent %d", line, a.ID)
			}
			return
		}
	}
	t.Fatalf("no access log line for /api/v1/me in:\n%s", logs.String())
}

// TestAdminDeactivatesAgent deactivates an agent through the API: only an
// admin may, and the agent's session ends with it.
func TestAdminDeactivatesAgent(t *testing.T) {
	m, base := MustRunMain(t)
	ctx := context.Background()
	tokens := map[string]string{}
	var agentID int64
	for _, n := range []agents.NewAgent{
		{Username: "li", Name: "Li", Password: "password-li", Role: switchboard.RoleAgent},
		{Username: "boss", Name: "Boss", Password: "password-boss", Role: switchboard.RoleAdmin},
	} {
		a, err := m.Agents.Create(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		if n.Role == switchboard.RoleAgent {
			agentID = a.ID
		}
		_, login := do(t, "POST", base+"/api/v1/login", "", map[string]string{"username": n.Username, "password": n.Password})
		tokens[n.Username], _ = login["token"].(string)
	}
	path := fmt.Sprintf("%s/api/v1/agents/%d/deactivate", base, agentID)
	if code, _ := do(t, "POST", path, tokens["li"], nil); code != 403 {
		t.Fatalf("an agent deactivating = %d, want 403", code)
	}
	if code, body := do(t, "POST", path, tokens["boss"], nil); code != 204 {
		t.Fatalf("deactivate = %d %v", code, body)
	}
	if code, _ := do(t, "GET", base+"/api/v1/me", tokens["li"], nil); code != 401 {
		t.Fatalf("the deactivated agent's session = %d, want 401", code)
	}
	if code, _ := do(t, "POST", base+"/api/v1/agents/999999/deactivate", tokens["boss"], nil); code != 404 {
		t.Fatalf("an unknown agent = %d, want 404", code)
	}
}
