package main

import (
	"context"
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
