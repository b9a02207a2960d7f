package webchat_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"switchboard"
	"switchboard/channels/webchat"
	"switchboard/internal/testworld"
	"switchboard/routing"
)

var chatKey = []byte("0123456789abcdef0123456789abcdef-test")

const origin = "https://www.bank.example"

func setup(t testing.TB, mod func(*webchat.Config)) (*testworld.World, *webchat.Channel) {
	t.Helper()
	env := testworld.New(t, testworld.ForChannels())
	cfg := webchat.Config{Key: chatKey, AllowedOrigins: []string{origin}, PublicURL: env.Public, RedisPrefix: env.Prefix}
	if mod != nil {
		mod(&cfg)
	}
	ch, err := webchat.New(cfg, env.Store, env.Engine, env.Bus, env.RDB, env.Log)
	if err != nil {
		t.Fatal(err)
	}
	env.Mux.Handle("/channels/chat/", ch.Handler())
	go ch.Run(env.Ctx)
	time.Sleep(50 * time.Millisecond) // Run's subscriptions are live
	return env, ch
}

type client struct {
	t  testing.TB
	ws *websocket.Conn
}

func dial(t testing.TB, env *testworld.World, org string) (*client, *http.Response, error) {
	h := http.Header{}
	if org != "" {
		h.Set("Origin", org)
	}
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(env.Public, "http")+"/channels/chat/ws", h)
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { ws.Close() })
	return &client{t: t, ws: ws}, resp, nil
}

func mustDial(t testing.TB, env *testworld.World) *client {
	t.Helper()
	c, _, err := dial(t, env, origin)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type frame struct {
	Type          string           `json:"type"`
	InteractionID int64            `json:"interaction_id"`
	Resume        string           `json:"resume"`
	Messages      []map[string]any `json:"messages"`
	ClientMsgID   string           `json:"client_msg_id"`
	Message       map[string]any   `json:"message"`
	Name          string           `json:"name"`
	Text          string           `json:"text"`
	Typing        bool             `json:"typing"`
	Error         *struct {
		Code, Message string
		Temporary     bool
	} `json:"error"`
}

func (c *client) send(v map[string]any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

// next reads frames until one of type typ arrives.
func (c *client) next(typ string) frame {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		var f frame
		if err := c.ws.ReadJSON(&f); err != nil {
			c.t.Fatalf("waiting for %s: %v", typ, err)
		}
		if f.Type == typ {
			return f
		}
		if f.Type == "error" && typ != "error" {
			c.t.Fatalf("waiting for %s: error %+v", typ, f.Error)
		}
	}
}

func id(m map[string]any) int64 { return int64(m["id"].(float64)) }

// A customer chats with an agent, drops off, misses a reply, resends an
// unacknowledged message and resumes with nothing lost or doubled.
func TestChatWithReconnect(t *testing.T) {
	env, ch := setup(t, nil)
	agent := env.AddAgent("amy")
	desk, err := env.Bus.Subscribe(env.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := mustDial(t, env)
	c.send(map[string]any{"type": "hello", "name": "Ann", "language": "en"})
	c.next("welcome")
	c.send(map[string]any{"type": "message", "client_msg_id": "m1", "body": "Hi, is my transfer done?"})
	w := c.next("welcome")
	ack := c.next("ack")
	if w.InteractionID == 0 || w.Resume == "" || ack.ClientMsgID != "m1" {
		t.Fatalf("welcome %+v ack %+v", w, ack)
	}
	iid := w.InteractionID
	if ev := <-desk; ev.Kind != "message" || ev.InteractionID != iid || ev.Message.Body != "Hi, is my transfer done?" {
		t.Fatalf("desk got %+v", ev)
	}
	env.WaitEvent(routing.EventOffer, iid)
	if err := env.Engine.Accept(env.Ctx, agent, iid); err != nil {
		t.Fatal(err)
	}
	if j := c.next("agent_joined"); j.Name != "amy" {
		t.Fatalf("agent_joined %+v", j)
	}
	if err := ch.Typing(env.Ctx, agent, iid, true); err != nil {
		t.Fatal(err)
	}
	c.next("typing")
	if _, err := ch.Reply(env.Ctx, agent, iid, "Let me check."); err != nil {
		t.Fatal(err)
	}
	got := c.next("message")
	lastSeen := id(got.Message)

	// m2 is sent, then the connection drops before its ack is read.
	c.send(map[string]any{"type": "message", "client_msg_id": "m2", "body": "Thanks"})
	c.ws.Close()
	if _, err := ch.Reply(env.Ctx, agent, iid, "It arrived this morning."); err != nil {
		t.Fatal(err)
	}

	c2 := mustDial(t, env)
	c2.send(map[string]any{"type": "hello", "resume": w.Resume, "last_seen": lastSeen})
	wb := c2.next("welcome")
	var bodies []string
	for _, m := range wb.Messages {
		bodies = append(bodies, m["body"].(string))
	}
	if wb.InteractionID != iid || !strings.Contains(strings.Join(bodies, "|"), "It arrived this morning.") {
		t.Fatalf("resume welcome %+v", wb)
	}
	c2.send(map[string]any{"type": "message", "client_msg_id": "m2", "body": "Thanks"})
	a2 := c2.next("ack")
	if a2.ClientMsgID != "m2" {
		t.Fatalf("ack %+v", a2)
	}
	if n := env.Count(`SELECT count(*) FROM messages WHERE interaction_id = $1 AND client_msg_id = 'm2'`, iid); n != 1 {
		t.Fatalf("m2 stored %d times", n)
	}
	if n := env.Count(`SELECT count(*) FROM messages WHERE interaction_id = $1`, iid); n != 4 {
		t.Fatalf("%d messages in the transcript, want 4", n)
	}
	if _, err := ch.Reply(env.Ctx, agent, iid, "Anything else?"); err != nil {
		t.Fatal(err)
	}
	if m := c2.next("message"); m.Message["body"] != "Anything else?" {
		t.Fatalf("after resume got %+v", m)
	}
	if err := env.Engine.Complete(env.Ctx, agent, iid); err != nil {
		t.Fatal(err)
	}
	c2.next("closed")
	other := env.AddAgent("bob")
	if _, err := ch.Reply(env.Ctx, other, iid, "hi"); !errors.Is(err, switchboard.ErrForbidden) {
		t.Fatalf("reply by another agent: %v", err)
	}
}

func TestChatRefusals(t *testing.T) {
	env, _ := setup(t, func(c *webchat.Config) { c.ConnsPerIP = 6; c.MsgsPerCustomer = 3 })
	if _, resp, err := dial(t, env, "https://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %v %v", resp, err)
	}
	if _, resp, err := dial(t, env, ""); err == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no origin: %v", err)
	}
	c := mustDial(t, env)
	tests := map[string]struct {
		frame map[string]any
		code  string
	}{
		"message before hello": {map[string]any{"type": "message", "client_msg_id": "x", "body": "hi"}, "invalid"},
		"unknown type":         {map[string]any{"type": "shell"}, "invalid"},
		"unknown field":        {map[string]any{"type": "typing", "admin": true}, "invalid"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c.t = t
			c.send(tc.frame)
			if f := c.next("error"); f.Error.Code != tc.code {
				t.Fatalf("error %+v, want %s", f.Error, tc.code)
			}
		})
	}
	c.t = t
	c.send(map[string]any{"type": "hello", "token": "forged.token"})
	if f := c.next("error"); f.Error.Code != "unauthorized" {
		t.Fatalf("forged token: %+v", f.Error)
	}

	c = mustDial(t, env)
	c.send(map[string]any{"type": "hello", "name": "Spammer"})
	c.next("welcome")
	var limited bool
	for i := range 6 {
		c.send(map[string]any{"type": "message", "client_msg_id": "s" + string(rune('a'+i)), "body": "buy now"})
	}
	for range 6 {
		var f frame
		c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
		if err := c.ws.ReadJSON(&f); err != nil {
			t.Fatal(err)
		}
		if f.Type == "error" && f.Error.Temporary && strings.Contains(f.Error.Message, "too quickly") {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("the per-customer message limit never applied")
	}
	// The connection limit per IP (6 per minute, burst 4) is used up.
	var refused bool
	for range 4 {
		if _, resp, err := dial(t, env, origin); err != nil && resp != nil && resp.StatusCode == http.StatusTooManyRequests {
			refused = true
		}
	}
	if !refused {
		t.Fatal("the per-IP connection limit never applied")
	}
	if n := env.Count(`SELECT count(*) FROM messages`); n > 3 {
		t.Fatalf("%d messages stored past the limit", n)
	}
}

// TestSignedInCustomerAndSMSOffer: a signed-in customer whom nobody
// answers is offered to continue by SMS, and the text goes to the number
// on file, never to one typed into the chat. An anonymous visitor's typed
// number is unverified: no offer and no text, so nobody can make the bank
// text someone else.
func TestSignedInCustomerAndSMSOffer(t *testing.T) {
	var mu sync.Mutex
	var texts []string
	env, _ := setup(t, func(c *webchat.Config) {
		c.NoAnswerAfter = 300 * time.Millisecond
		c.SMS = func(_ context.Context, to, body string) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			texts = append(texts, to)
			return "SM1", nil
		}
	})
	sent := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(texts)
	}

	a := mustDial(t, env)
	a.send(map[string]any{"type": "hello", "name": "Ann", "phone": "13500135000"})
	a.next("welcome")
	a.send(map[string]any{"type": "message", "client_msg_id": "q1", "body": "anyone there?"})
	a.next("welcome")
	time.Sleep(600 * time.Millisecond)
	a.send(map[string]any{"type": "sms", "accept": true})
	if f := a.next("error"); f.Error.Code != "conflict" {
		t.Fatalf("an anonymous visitor asking for SMS: %+v, want conflict", f.Error)
	}
	if got := sent(); len(got) != 0 {
		t.Fatalf("texted an unverified number: %v", got)
	}

	cust := env.AddCustomer("Liu Yang", "+8613600136000", "vip")
	c := mustDial(t, env)
	c.send(map[string]any{"type": "hello", "token": webchat.SignCustomerToken(chatKey, cust, time.Now().Add(time.Hour)), "phone": "13900139000"})
	c.next("welcome")
	c.send(map[string]any{"type": "message", "client_msg_id": "q1", "body": "你好"})
	w := c.next("welcome")
	var linked int64
	var tier string
	env.Pool.QueryRow(env.Ctx, `SELECT customer_id, tier FROM interactions WHERE id = $1`, w.InteractionID).Scan(&linked, &tier)
	if linked != cust || tier != "vip" {
		t.Fatalf("signed-in chat linked to %d (%s), want %d vip", linked, tier, cust)
	}
	if offer := c.next("offer_sms"); offer.Text == "" {
		t.Fatal("empty SMS offer")
	}
	c.send(map[string]any{"type": "sms", "accept": true})
	c.next("closed")
	if got := sent(); len(got) != 1 || got[0] != "+8613600136000" {
		t.Fatalf("texts sent to %v, want the number on file only", got)
	}
	env.Eventually("chat left routing", func() bool { return env.State(w.InteractionID) == "abandoned" })
}

type webchatConfig = webchat.Config
