package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"switchboard"
	"switchboard/agents"
	"switchboard/internal/testenv"
)

// runTwoMains starts two servers in this process on one database and one
// Redis prefix, as two nodes behind a load balancer, with extra settings.
func runTwoMains(t *testing.T, extra map[string]string) (a, b *Main) {
	t.Helper()
	vars := testVars(t, extra)
	return runMain(t, vars), runMain(t, vars)
}

// testVars is MustRunMain's environment (a fresh database and Redis
// prefix) with extra settings.
func testVars(t testing.TB, extra map[string]string) map[string]string {
	t.Helper()
	_, prefix := testenv.MustRedis(t)
	vars := map[string]string{
		"DATABASE_URL":             testenv.MustCreateDB(t),
		"REDIS_URL":                testenv.RedisURL(),
		"SWITCHBOARD_ADDR":         "127.0.0.1:0",
		"SWITCHBOARD_REDIS_PREFIX": prefix,
		"TWILIO_ACCOUNT_SID":       "ACtest0000000000000000000000000001",
		"TWILIO_AUTH_TOKEN":        "testauthtoken0001",
		"TWILIO_FROM_NUMBER":       "+8610955880",
		"SWITCHBOARD_CHAT_KEY":     "test-chat-key-test-chat-key-test-chat-key",
	}
	for k, v := range extra {
		vars[k] = v
	}
	return vars
}

// tryLogin signs in at m, sent as if through a proxy for forwardedFor when
// that is set, and returns the status and the Retry-After header.
func tryLogin(t *testing.T, m *Main, user, pw, forwardedFor string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	req, _ := http.NewRequest("POST", "http://"+m.Addr()+"/api/v1/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// TestLoginThrottleAcrossNodes guesses one agent's password on two nodes
// in turn: after five failures in all the account is locked on both (429
// with Retry-After), even for the right password, until the lock ends.
// Failures from one client address lock that address for every account;
// another address is unaffected. Every attempt is audited with its source.
func TestLoginThrottleAcrossNodes(t *testing.T) {
	a, b := runTwoMains(t, map[string]string{"SWITCHBOARD_LOGIN_FAILURES": "5", "SWITCHBOARD_LOGIN_LOCKOUT": "2s",
		"SWITCHBOARD_LOGIN_SOURCE_FAILURES": "8", "SWITCHBOARD_TRUSTED_PROXIES": "127.0.0.1"})
	ctx := context.Background()
	if _, err := a.Agents.Create(ctx, agents.NewAgent{Username: "li", Name: "Li", Password: "right-password", Role: switchboard.RoleAgent}); err != nil {
		t.Fatal(err)
	}
	nodes := []*Main{a, b}

	t.Run("account", func(t *testing.T) {
		for i := 1; i <= 20; i++ {
			code, after := tryLogin(t, nodes[i%2], "li", fmt.Sprintf("guess-%d", i), fmt.Sprintf("198.51.100.%d", i))
			switch {
			case i <= 5 && code != 401:
				t.Fatalf("guess %d = %d, want 401", i, code)
			case i > 5 && (code != 429 || after == ""):
				t.Fatalf("guess %d = %d (Retry-After %q), want 429 once five failed on the two nodes together", i, code, after)
			}
		}
		code, after := tryLogin(t, b, "li", "right-password", "198.51.100.99")
		secs, _ := strconv.Atoi(after)
		if code != 429 || secs < 1 {
			t.Fatalf("the right password while locked = %d (Retry-After %q), want 429", code, after)
		}
		time.Sleep(time.Duration(secs) * time.Second)
		if code, _ := tryLogin(t, a, "li", "right-password", "198.51.100.99"); code != 200 {
			t.Fatalf("the right password after the lock = %d, want 200", code)
		}
	})

	t.Run("source address", func(t *testing.T) {
		const attacker = "203.0.113.7"
		for i := 1; i <= 8; i++ {
			if code, _ := tryLogin(t, nodes[i%2], fmt.Sprintf("nobody%d", i), "guess", "10.0.0.1, "+attacker); code != 401 {
				t.Fatalf("guess %d = %d, want 401", i, code)
			}
		}
		if code, after := tryLogin(t, a, "someone-else", "guess", attacker); code != 429 || after == "" {
			t.Fatalf("a fresh account from the locked address = %d (Retry-After %q), want 429", code, after)
		}
		if code, _ := tryLogin(t, b, "someone-else", "guess", "203.0.113.8"); code != 401 {
			t.Fatalf("another address = %d, want 401", code)
		}
	})

	var n, locked, fromAttacker int
	a.DB.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE outcome = 'locked'),
		count(*) FILTER (WHERE source = '203.0.113.7') FROM auth_events`).Scan(&n, &locked, &fromAttacker)
	// li: 5 failures, a lock and a success; the attacker: 8 failures and
	// a lock (the refused try is no row); another address: 1 failure.
	if n != 5+1+1+8+1+1 || locked != 2 || fromAttacker != 9 {
		t.Fatalf("auth_events: %d rows, %d locks, %d from the attacker", n, locked, fromAttacker)
	}
}
