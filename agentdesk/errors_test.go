package agentdesk_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/routing"
)

// TestBadFramesChangeNothing sends malformed or forbidden frames; each gets
// one error frame naming it, and the socket stays usable.
func TestBadFramesChangeNothing(t *testing.T) {
	c := newCentre(t, routing.Config{})
	n := c.node(agentdesk.Config{})
	_, token := c.agent("careful", switchboard.RoleAgent)
	d := dial(t, n, token)
	d.expect("sync", nil)

	tests := map[string]struct {
		frame    map[string]any
		wantCode string
	}{
		"unknown type":      {map[string]any{"v": 1, "id": "a", "type": "explode"}, "invalid"},
		"wrong version":     {map[string]any{"v": 2, "id": "b", "type": "sync"}, "invalid"},
		"unknown field":     {map[string]any{"v": 1, "id": "c", "type": "accept", "data": map[string]any{"interaction": 1}}, "invalid"},
		"no interaction":    {map[string]any{"v": 1, "id": "d", "type": "accept", "data": map[string]any{}}, "invalid"},
		"not my offer":      {map[string]any{"v": 1, "id": "e", "type": "accept", "data": map[string]any{"interaction_id": 424242}}, "not_found"},
		"bad state":         {map[string]any{"v": 1, "id": "f", "type": "set_state", "data": map[string]any{"state": "asleep"}}, "invalid"},
		"break sans reason": {map[string]any{"v": 1, "id": "g", "type": "set_state", "data": map[string]any{"state": "break"}}, "invalid"},
		"agent forces":      {map[string]any{"v": 1, "id": "h", "type": "force_state", "data": map[string]any{"agent_id": 1, "state": "break", "reason": "x"}}, "forbidden"},
		"agent moves":       {map[string]any{"v": 1, "id": "i", "type": "move", "data": map[string]any{"interaction_id": 1, "to_queue": "wealth"}}, "forbidden"},
		"bad disposition":   {map[string]any{"v": 1, "id": "j", "type": "wrapup", "data": map[string]any{"interaction_id": 1, "disposition": "meh"}}, "invalid"},
		"empty message":     {map[string]any{"v": 1, "id": "k", "type": "send", "data": map[string]any{"interaction_id": 1, "body": " ", "client_msg_id": "x"}}, "invalid"},
		"short search":      {map[string]any{"v": 1, "id": "l", "type": "search", "data": map[string]any{"q": "a"}}, "invalid"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d.t = t
			if err := d.ws.WriteJSON(tc.frame); err != nil {
				t.Fatal(err)
			}
			f := d.expect("error", nil)
			if f.Error == nil || f.Error.Code != tc.wantCode || f.Error.Message == "" || f.Re != tc.frame["id"] {
				t.Fatalf("got %+v (re %q), want code %s for %v", f.Error, f.Re, tc.wantCode, tc.frame["id"])
			}
		})
	}
	d.t = t
	if err := d.ws.WriteMessage(1, []byte("not json")); err != nil {
		t.Fatal(err)
	}
	if f := d.expect("error", nil); f.Error.Code != "invalid" {
		t.Fatalf("not JSON: %+v", f.Error)
	}
	d.ok("sync", nil) // still usable
	if n := c.count(`SELECT count(*) FROM interaction_events`); n != 0 {
		t.Fatalf("bad frames wrote %d events", n)
	}
}

func TestHandshakeRefusals(t *testing.T) {
	c := newCentre(t, routing.Config{})
	n := c.node(agentdesk.Config{})
	_, token := c.agent("someone", switchboard.RoleAgent)
	tests := map[string]struct {
		token, origin string
		want          int
	}{
		"no session":     {"", origin, http.StatusUnauthorized},
		"forged session": {"forged", origin, http.StatusUnauthorized},
		"other origin":   {token, "http://evil.test", http.StatusForbidden},
		"no origin":      {token, "", http.StatusForbidden},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ws, resp, err := dialRaw(n, tc.token, tc.origin)
			if err == nil {
				ws.Close()
				t.Fatal("handshake succeeded")
			}
			if resp == nil || resp.StatusCode != tc.want {
				t.Fatalf("status %v, want %d", resp, tc.want)
			}
		})
	}
}

// TestSlowDeskIsDisconnectedAndResyncs fills a desk's send queue without
// reading it: the server closes the desk instead of dropping frames or
// growing, and the desk's next connection gets the whole picture.
func TestSlowDeskIsDisconnectedAndResyncs(t *testing.T) {
	c := newCentre(t, routing.Config{ReservationTimeout: 30 * time.Second})
	n := c.node(agentdesk.Config{SendQueue: 4})
	_, token := c.agent("slow", switchboard.RoleAgent)
	// The kernel may grow loopback buffers to megabytes (tcp_rmem,
	// tcp_wmem), which would take minutes of replies to fill; a desk on a
	// slow mobile link holds a few kilobytes in flight, so this one does:
	// small buffers on both ends of its connection.
	srv := httptest.NewUnstartedServer(n.desk.Handler())
	srv.Config.ConnState = func(conn net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conn.(*net.TCPConn).SetWriteBuffer(4096)
		}
	}
	srv.Start()
	defer srv.Close()
	dialer := *websocket.DefaultDialer
	dialer.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if err := conn.(*net.TCPConn).SetReadBuffer(4096); err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
	ws, _, err := dialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+"/agentdesk/ws",
		http.Header{"Origin": {origin}, "Authorization": {"Bearer " + token}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	// The desk counts the connection once it has set it up, a moment after
	// the handshake: until then "no connections" would pass for the
	// disconnection this test waits for.
	for counted := time.Now().Add(10 * time.Second); n.desk.Stats().Connections == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(counted) {
			t.Fatal("the desk never counted the connection")
		}
	}
	// Never read; send requests whose replies pile up in the send queue
	// once the kernel's small buffers are full. The server may read more
	// slowly than this loop writes, so this side's buffers can fill first:
	// a write that cannot finish ends the writing, and what the server has
	// still to read and answer is far more than its queue holds.
	ws.WriteJSON(map[string]any{"v": 1, "id": "s", "type": "set_state", "data": map[string]any{"state": "available"}})
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && n.desk.Stats().Connections > 0 {
		ws.SetWriteDeadline(time.Now().Add(time.Second))
		if err := ws.WriteJSON(map[string]any{"v": 1, "id": "x", "type": "sync"}); err != nil {
			break
		}
	}
	for time.Now().Before(deadline) && n.desk.Stats().Connections > 0 {
		time.Sleep(20 * time.Millisecond)
	}
	if n.desk.Stats().Connections > 0 {
		t.Fatal("a desk that never reads was not disconnected")
	}
	id := c.arrive(n, 0, switchboard.TierMass)
	d := dial(t, n, token)
	var s struct {
		Offers []offerJSON `json:"offers"`
	}
	for len(s.Offers) == 0 {
		time.Sleep(50 * time.Millisecond)
		if err := json.Unmarshal(d.ok("sync", nil), &s); err != nil {
			t.Fatal(err)
		}
	}
	if s.Offers[0].Interaction.ID != id {
		t.Fatalf("resync offers %+v", s.Offers)
	}
}
