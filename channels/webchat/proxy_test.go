package webchat_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"switchboard/channels/webchat"
	"switchboard/internal/clientip"
)

// TestLimitsCountClientsBehindAProxy opens chats through a load balancer
// the bank trusts: one customer's address runs out of connections, while
// another customer behind the same balancer still connects, and a client
// that forges X-Forwarded-For without the balancer gains nothing.
func TestLimitsCountClientsBehindAProxy(t *testing.T) {
	proxies, err := clientip.New([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	env, _ := setup(t, func(c *webchat.Config) { c.ConnsPerIP = 2; c.ClientIP = proxies })
	open := func(forwardedFor string) int {
		t.Helper()
		h := http.Header{"Origin": {origin}, "X-Forwarded-For": {forwardedFor}}
		ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(env.Public, "http")+"/channels/chat/ws", h)
		if err == nil {
			ws.Close()
			return http.StatusSwitchingProtocols
		}
		if resp == nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	refused := false
	for range 4 {
		if open("198.51.100.1") == http.StatusTooManyRequests {
			refused = true
		}
	}
	if !refused {
		t.Fatal("one client behind the proxy was never limited")
	}
	if code := open("198.51.100.2"); code != http.StatusSwitchingProtocols {
		t.Fatalf("another client behind the same proxy = %d, want to connect", code)
	}
	// Forged hops left of the real client do not make a new client.
	if code := open("203.0.113.9, 198.51.100.1"); code != http.StatusTooManyRequests {
		t.Fatalf("a forged hop = %d, want 429", code)
	}
}
