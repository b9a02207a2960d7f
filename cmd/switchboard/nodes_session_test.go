package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"switchboard"
	"switchboard/agents"
)

// expectSessionClosed reads the desk until the server closes it, and fails
// unless that happens within limit with the "session ended" close code.
func (d *deskClient) expectSessionClosed(limit time.Duration) {
	d.t.Helper()
	deadline := time.Now().Add(limit)
	for {
		f, err := d.read(time.Until(deadline))
		var ce *websocket.CloseError
		switch {
		case errors.As(err, &ce) && ce.Code == 4001:
			return
		case err != nil:
			d.t.Fatalf("want the desk closed with 4001 within %v, got %v", limit, err)
		case f.Type == "offer":
			d.t.Fatalf("an ended session's desk got an offer: %s", f.Data)
		}
	}
}

// TestSessionEndClosesDesksOnEveryNode ends sessions on node a (logout,
// deactivation, an operator's DELETE) and by expiry while the desks are on
// node b: each desk closes at once, and work is no longer offered to the
// signed-out agent.
func TestSessionEndClosesDesksOnEveryNode(t *testing.T) {
	c := startNodes(t)
	ctx := context.Background()
	c.exec(t, `INSERT INTO queues (name, title, title_zh) VALUES ('general', 'General', '综合') ON CONFLICT DO NOTHING`)
	available := func(token string) *deskClient {
		d := dialDesk(t, c.b, token)
		d.expect("hello", nil)
		d.expect("sync", nil)
		d.ok("set_state", map[string]any{"state": "available"}, nil)
		return d
	}

	t.Run("expiry", func(t *testing.T) {
		_, token := c.staff(t, c.a, "wu", switchboard.RoleAgent)
		c.exec(t, `UPDATE sessions SET expires_at = now() + interval '2 seconds' WHERE token_hash = decode($1, 'hex')`, agents.SessionKey(token))
		start := time.Now()
		d := dialDesk(t, c.b, token)
		d.expectSessionClosed(5 * time.Second)
		if took := time.Since(start); took < 1500*time.Millisecond {
			t.Fatalf("closed after %v, before the session expired", took)
		}
	})

	t.Run("deactivation", func(t *testing.T) {
		id, token := c.staff(t, c.a, "zhao", switchboard.RoleAgent)
		d := available(token)
		if err := agents.NewStore(c.pool, time.Hour, time.Now).Deactivate(ctx, id); err != nil {
			t.Fatal(err)
		}
		d.expectSessionClosed(3 * time.Second)
		if code, _ := do(t, "POST", c.a.base+"/api/v1/login", "", map[string]string{"username": "zhao", "password": "password-zhao"}); code != 401 {
			t.Fatalf("login after deactivation = %d, want 401", code)
		}
	})

	t.Run("a lost notice: the next frame checks", func(t *testing.T) {
		_, token := c.staff(t, c.a, "sun", switchboard.RoleAgent)
		d := available(token)
		c.exec(t, `ALTER TABLE sessions DISABLE TRIGGER sessions_ended_notify`)
		defer c.exec(t, `ALTER TABLE sessions ENABLE TRIGGER sessions_ended_notify`)
		c.exec(t, `DELETE FROM sessions WHERE token_hash = decode($1, 'hex')`, agents.SessionKey(token))
		if err := d.ws.WriteJSON(map[string]any{"v": 1, "id": "s1", "type": "search", "data": map[string]any{"q": "Zhang"}}); err != nil {
			t.Fatal(err)
		}
		d.expectSessionClosed(3 * time.Second)
	})
	// Last, so that the text it sends is offered to nobody else.
	t.Run("logout on another node", func(t *testing.T) {
		id, token := c.staff(t, c.a, "li", switchboard.RoleAgent)
		d := available(token)
		start := time.Now()
		if code, _ := do(t, "POST", c.a.base+"/api/v1/logout", token, nil); code != 204 {
			t.Fatalf("logout = %d", code)
		}
		d.expectSessionClosed(3 * time.Second)
		t.Logf("closed %v after the logout", time.Since(start).Round(time.Millisecond))
		if _, err := c.sim.Text(ctx, "+8613700000001", "Is anyone there?"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		var offered int
		c.pool.QueryRow(ctx, `SELECT count(*) FROM interaction_events WHERE agent_id = $1 AND kind = 'offered'`, id).Scan(&offered)
		var queued int
		c.pool.QueryRow(ctx, `SELECT count(*) FROM interactions WHERE state = 'queued'`).Scan(&queued)
		if offered != 0 || queued != 1 {
			t.Fatalf("the signed-out agent was offered %d interactions; %d queued, want the text waiting", offered, queued)
		}
	})
}
