package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"switchboard"
	"switchboard/agents"
	"switchboard/cmd/internal/config"
)

// MustRunMain starts the whole server on a fresh database and a free port,
// with the same wiring as the binary, and closes it when the test ends.
func MustRunMain(tb testing.TB) (*Main, string) {
	tb.Helper()
	m := runMain(tb, testVars(tb, nil))
	return m, "http://" + m.Addr()
}

// runMain starts the server configured by vars (the environment it reads)
// and closes it when the test ends.
func runMain(tb testing.TB, vars map[string]string) *Main {
	tb.Helper()
	return runMainLogging(tb, vars, slog.New(slog.DiscardHandler))
}

// runMainLogging is runMain with the server's log going to log.
func runMainLogging(tb testing.TB, vars map[string]string, log *slog.Logger) *Main {
	tb.Helper()
	env, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		tb.Fatal(err)
	}
	m := NewMain(env, log)
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return m
}

func do(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestServerHealthReadyAndLogin(t *testing.T) {
	m, base := MustRunMain(t)
	ctx := context.Background()
	for _, n := range []agents.NewAgent{
		{Username: "agent1", Name: "Agent One", Password: "agentpass1", Role: switchboard.RoleAgent},
		{Username: "super1", Name: "Supervisor", Password: "superpass1", Role: switchboard.RoleSupervisor},
	} {
		if _, err := m.Agents.Create(ctx, n); err != nil {
			t.Fatal(err)
		}
	}

	if code, _ := do(t, "GET", base+"/healthz", "", nil); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
	if code, body := do(t, "GET", base+"/readyz", "", nil); code != 200 || body["migrations"] != "ok" {
		t.Fatalf("readyz = %d %v", code, body)
	}

	tests := map[string]struct {
		method, path string
		token        func() string
		body         any
		want         int
		wantCode     string
	}{
		"no token":       {"GET", "/api/v1/me", nil, nil, 401, "unauthorized"},
		"bad token":      {"GET", "/api/v1/me", func() string { return "forged" }, nil, 401, "unauthorized"},
		"wrong password": {"POST", "/api/v1/login", nil, map[string]string{"username": "agent1", "password": "nope-nope"}, 401, "unauthorized"},
		"unknown field":  {"POST", "/api/v1/login", nil, map[string]string{"username": "agent1", "pw": "x"}, 400, "invalid"},
		"empty login":    {"POST", "/api/v1/login", nil, map[string]string{"username": "", "password": ""}, 400, "invalid"},
		"unknown route":  {"GET", "/api/v1/nothing", nil, nil, 404, "not_found"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			token := ""
			if tc.token != nil {
				token = tc.token()
			}
			code, body := do(t, tc.method, base+tc.path, token, tc.body)
			if code != tc.want {
				t.Fatalf("%s %s = %d %v, want %d", tc.method, tc.path, code, body, tc.want)
			}
			if tc.wantCode != "" {
				e, _ := body["error"].(map[string]any)
				if e["code"] != tc.wantCode || e["message"] == "" {
					t.Fatalf("error body = %v, want code %q and a message", body, tc.wantCode)
				}
			}
		})
	}

	code, body := do(t, "POST", base+"/api/v1/login", "", map[string]string{"username": "super1", "password": "superpass1"})
	if code != 200 {
		t.Fatalf("login = %d %v", code, body)
	}
	token, _ := body["token"].(string)
	code, me := do(t, "GET", base+"/api/v1/me", token, nil)
	if code != 200 || me["username"] != "super1" || me["role"] != "supervisor" {
		t.Fatalf("me = %d %v", code, me)
	}
	if code, _ := do(t, "POST", base+"/api/v1/logout", token, nil); code != 204 {
		t.Fatalf("logout = %d", code)
	}
	if code, _ := do(t, "GET", base+"/api/v1/me", token, nil); code != 401 {
		t.Fatalf("me after logout = %d, want 401", code)
	}
}

// TestServerArguments: help and version answer without any configuration,
// anything else is a usage mistake (exit 2) that names the fix.
func TestServerArguments(t *testing.T) {
	bin := buildServer(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "README's Configuration"},
		{[]string{"--help"}, 0, "DATABASE_URL"},
		{[]string{"version"}, 0, "switchboard dev (commit "},
		{[]string{"--port", "80"}, 2, "switchboard -h"},
	} {
		cmd := exec.Command(bin, c.args...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		out, _ := cmd.CombinedOutput()
		if code := cmd.ProcessState.ExitCode(); code != c.code || !strings.Contains(string(out), c.want) {
			t.Errorf("switchboard %v: exit %d, want %d with %q in:\n%s", c.args, code, c.code, c.want, out)
		}
	}
}
