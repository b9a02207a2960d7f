package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"switchboard"
	"switchboard/agents"
	"switchboard/channels/twiliosim"
	"switchboard/internal/testenv"
)

// The customer's secrets in this test: none may reach a span or a log line.
const (
	piiPhone    = "13912345678" // national form: matches +86… too
	piiNational = "110101199003077777"
	piiBody     = "Quokka-7731" // a word only message bodies carry
)

// TestNoPIIInTracesOrLogs runs an SMS webhook (and a forged one), a chat message and customer
// searches by name and by phone through a traced server logging at debug,
// and finds none of the customer's phone number, national ID or message
// text in any exported span (name, attributes, events, status) or log line.
func TestNoPIIInTracesOrLogs(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev); tp.Shutdown(context.Background()) })
	logs := &lockedBuffer{}

	_, prefix := testenv.MustRedis(t)
	addr := freeAddr(t)
	base := "http://" + addr
	const sid, token, number = "ACtest0000000000000000000000000001", "testauthtoken0001", "+8610955880"
	m := runMainLogging(t, map[string]string{"DATABASE_URL": testenv.MustCreateDB(t), "REDIS_URL": testenv.RedisURL(),
		"SWITCHBOARD_ADDR": addr, "SWITCHBOARD_PUBLIC_URL": base, "SWITCHBOARD_REDIS_PREFIX": prefix,
		"TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token, "TWILIO_FROM_NUMBER": number,
		"SWITCHBOARD_CHAT_KEY": "test-chat-key-test-chat-key-test-chat-key"},
		slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	ctx := context.Background()
	mustExec(t, m, `INSERT INTO queues (name, title, title_zh) VALUES ('general', 'General', '综合') ON CONFLICT DO NOTHING`)
	mustExec(t, m, `INSERT INTO customers (name, name_zh, phone, national_id, value_tier, activity_layer)
		VALUES ('Zhang Wei', '张伟', $1, $2, 'vip', 'active')`, "+86"+piiPhone, piiNational)
	if _, err := m.Agents.Create(ctx, agents.NewAgent{Username: "li", Name: "Li", Password: "password-li", Role: switchboard.RoleAgent}); err != nil {
		t.Fatal(err)
	}

	sim := twiliosim.New(twiliosim.Config{AccountSID: sid, AuthToken: token, Number: number, SMSURL: base + "/channels/twilio/sms"})
	if _, err := sim.Text(ctx, "+86"+piiPhone, fmt.Sprintf("%s my id is %s, call me on %s", piiBody, piiNational, piiPhone)); err != nil {
		t.Fatal(err)
	}
	forged := strings.NewReader(url.Values{"From": {"+86" + piiPhone}, "Body": {piiBody}}.Encode())
	if resp, err := http.Post(base+"/channels/twilio/sms", "application/x-www-form-urlencoded", forged); err != nil || resp.StatusCode != 403 {
		t.Fatalf("an unsigned webhook = %v %v, want 403", resp, err)
	}
	chatPII(t, base)
	_, login := do(t, "POST", base+"/api/v1/login", "", map[string]string{"username": "li", "password": "password-li"})
	session, _ := login["token"].(string)
	for _, path := range []string{"/api/v1/customers/search?q=Zhang", "/api/v1/customers/search?q=" + piiPhone,
		"/api/v1/customers/lookup?phone=%2B86" + piiPhone + "&reason=callback"} {
		if code, body := do(t, "GET", base+path, session, nil); code != http.StatusOK {
			t.Fatalf("GET %s = %d %v", path, code, body)
		}
	}

	time.Sleep(500 * time.Millisecond) // the routing and delivery spans that follow
	spans := exp.GetSpans()
	if len(spans) < 10 {
		t.Fatalf("only %d spans exported: is the server traced?", len(spans))
	}
	kinds := map[string]bool{}
	for _, s := range spans {
		kinds[s.InstrumentationScope.Name] = true
		if leak := findPII(spanText(s)); leak != "" {
			t.Errorf("span %q (%s) carries the %s: %s", s.Name, s.InstrumentationScope.Name, leak, spanText(s))
		}
	}
	for _, line := range strings.Split(logs.String(), "\n") {
		if leak := findPII(line); leak != "" {
			t.Errorf("a log line carries the %s: %s", leak, line)
		}
	}
	t.Logf("%d spans from %v checked, %d bytes of log", len(spans), kinds, len(logs.String()))
}

func mustExec(t *testing.T, m *Main, sql string, args ...any) {
	t.Helper()
	if _, err := m.DB.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// chatPII opens a chat and sends one message full of the customer's
// details, waiting for its acknowledgement.
func chatPII(t *testing.T, base string) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/channels/chat/ws", http.Header{"Origin": {base}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.WriteJSON(map[string]any{"type": "hello", "name": "Ann", "language": "en"})
	ws.WriteJSON(map[string]any{"type": "message", "client_msg_id": "m1",
		"body": fmt.Sprintf("%s: my id %s, phone %s", piiBody, piiNational, piiPhone)})
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var f struct {
			Type string `json:"type"`
		}
		if err := ws.ReadJSON(&f); err != nil {
			t.Fatalf("chat: waiting for the ack: %v", err)
		}
		if f.Type == "ack" {
			return
		}
	}
}

// spanText is everything a span exports, as text.
func spanText(s tracetest.SpanStub) string {
	var b strings.Builder
	b.WriteString(s.Name + " " + s.Status.Description)
	for _, a := range s.Attributes {
		fmt.Fprintf(&b, " %s=%s", a.Key, a.Value.Emit())
	}
	for _, e := range s.Events {
		b.WriteString(" " + e.Name)
		for _, a := range e.Attributes {
			fmt.Fprintf(&b, " %s=%s", a.Key, a.Value.Emit())
		}
	}
	return b.String()
}

func findPII(s string) string {
	for what, v := range map[string]string{"phone number": piiPhone, "national ID": piiNational, "message text": piiBody} {
		if strings.Contains(s, v) {
			return what
		}
	}
	return ""
}
