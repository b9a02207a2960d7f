package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/gorilla/websocket"

	"switchboard"
	"switchboard/agents"
)

const (
	apiKeySID    = "SK0123456789abcdef0123456789abcdef"
	apiKeySecret = "softphonesecret0123456789"
)

// softphoneVars turn the desk's Twilio Voice JS SDK softphone on.
var softphoneVars = []string{"TWILIO_API_KEY_SID", apiKeySID, "TWILIO_API_KEY_SECRET", apiKeySecret}

// staff creates an agent and returns its id and a session token.
func staff(t *testing.T, m *Main, base, username string) (int64, string) {
	t.Helper()
	return staffAs(t, m, base, username, switchboard.RoleAgent)
}

func staffAs(t *testing.T, m *Main, base, username string, role switchboard.Role) (int64, string) {
	t.Helper()
	a, err := m.Agents.Create(context.Background(), agents.NewAgent{Username: username, Name: "Li Na",
		Password: "agentpass1", Role: role, Tiers: switchboard.ValueTiers})
	if err != nil {
		t.Fatal(err)
	}
	code, body := do(t, "POST", base+"/api/v1/login", "", map[string]string{"username": username, "password": "agentpass1"})
	if code != 200 {
		t.Fatalf("login = %d %v", code, body)
	}
	return a.ID, body["token"].(string)
}

// helloOf opens the desk socket and returns the hello frame's data.
func helloOf(t *testing.T, base, token string) map[string]any {
	t.Helper()
	h := http.Header{"Origin": {base}, "Authorization": {"Bearer " + token}}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/agentdesk/ws", h)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var f struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := ws.ReadJSON(&f); err != nil || f.Type != "hello" {
		t.Fatalf("first frame %+v, %v; want hello", f, err)
	}
	return f.Data
}

// verifyJWT checks an HS256 token's signature with secret, by hand, and
// returns its header and claims.
func verifyJWT(t *testing.T, tok, secret string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a JWT", tok)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		t.Fatalf("the token's signature does not verify with the API key secret (%v)", err)
	}
	for i, v := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, v) != nil {
			t.Fatalf("token part %d: %v", i, err)
		}
	}
	return header, claims
}

func TestVoiceToken(t *testing.T) {
	m, base, _ := runDeskMain(t, softphoneVars...)
	agentID, token := staff(t, m, base, "agent1")
	if s := helloOf(t, base, token)["softphone"]; s != "twilio" {
		t.Fatalf("hello.softphone = %v, want twilio", s)
	}
	for name, tok := range map[string]string{"no session": "", "forged session": "forged"} {
		if code, body := do(t, "GET", base+"/agentdesk/voice-token", tok, nil); code != 401 {
			t.Fatalf("%s: voice token = %d %v, want 401", name, code, body)
		}
	}
	// Only those who take calls get a phone.
	for _, role := range []switchboard.Role{switchboard.RoleMarketing, switchboard.RoleAdmin} {
		_, tok := staffAs(t, m, base, "no-phone-"+string(role), role)
		if code, body := do(t, "GET", base+"/agentdesk/voice-token", tok, nil); code != 403 {
			t.Fatalf("%s: voice token = %d %v, want 403", role, code, body)
		}
	}

	before := time.Now().Truncate(time.Second)
	code, body := do(t, "GET", base+"/agentdesk/voice-token", token, nil)
	if code != 200 {
		t.Fatalf("voice token = %d %v", code, body)
	}
	identity := "agent_" + strconv.FormatInt(agentID, 10)
	if body["identity"] != identity {
		t.Fatalf("identity %v, want %s (the client the bridge dials)", body["identity"], identity)
	}
	header, claims := verifyJWT(t, body["token"].(string), apiKeySecret)
	if header["alg"] != "HS256" || header["cty"] != "twilio-fpa;v=1" {
		t.Fatalf("header %v", header)
	}
	grants, _ := claims["grants"].(map[string]any)
	voice, _ := grants["voice"].(map[string]any)
	incoming, _ := voice["incoming"].(map[string]any)
	switch {
	case claims["iss"] != apiKeySID || claims["sub"] != m.Env.TwilioAccountSID:
		t.Fatalf("iss %v sub %v, want the API key and the account", claims["iss"], claims["sub"])
	case grants["identity"] != identity:
		t.Fatalf("grant identity %v, want %s", grants["identity"], identity)
	case incoming["allow"] != true:
		t.Fatalf("voice grant %v, want incoming allowed", voice)
	}
	nbf, exp := claims["nbf"].(float64), claims["exp"].(float64)
	after := time.Now()
	if nbf < float64(before.Unix()) || nbf > float64(after.Unix()) || exp-nbf > 600 || exp-nbf < 590 {
		t.Fatalf("nbf %v exp %v: want a token valid from now for 10 minutes", nbf, exp)
	}
	if exp, _ := time.Parse(time.RFC3339, body["expires"].(string)); exp.Unix() != int64(claims["exp"].(float64)) {
		t.Fatalf("expires %v, claims exp %v", body["expires"], claims["exp"])
	}
}

func TestVoiceTokenOffWithoutAPIKey(t *testing.T) {
	m, base, _ := runDeskMain(t)
	_, token := staff(t, m, base, "agent1")
	if code, body := do(t, "GET", base+"/agentdesk/voice-token", token, nil); code != 404 {
		t.Fatalf("voice token without an API key = %d %v, want 404", code, body)
	}
	if s := helloOf(t, base, token)["softphone"]; s != "server" {
		t.Fatalf("hello.softphone = %v, want server", s)
	}
}

// TestDeskSoftphoneInBrowser: with the softphone on, the desk loads the
// Twilio Voice JS SDK from the server itself, and every request the page
// makes goes to the server; the only socket elsewhere is Twilio's
// signalling, which cannot be reached here, so the desk says the softphone
// is unavailable and keeps the server's call leg.
func TestDeskSoftphoneInBrowser(t *testing.T) {
	m, base, _ := runDeskMain(t, softphoneVars...)
	staff(t, m, base, "agent1")
	desk := browser(t)
	var mu sync.Mutex
	var requests, sockets []string
	// chromedp enables the Network domain on the tab it creates.
	err := chromedp.Listen(desk, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *network.EventWebSocketCreated:
			sockets = append(sockets, ev.URL)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	signIn(t, desk, base+"/", "agent1", "agentpass1")
	poll(t, desk, "the SDK is loaded", `!!(window.Twilio && window.Twilio.Device)`)
	poll(t, desk, "the desk shows the softphone unavailable", `document.getElementById('phone').dataset.state === 'error' && !document.getElementById('phone').hidden`)
	poll(t, desk, "calls fall back to the server's leg", `phoneLeg() === t('phone.leg.fallback')`)

	mu.Lock()
	defer mu.Unlock()
	var sdk bool
	for _, u := range requests {
		if !strings.HasPrefix(u, base+"/") {
			t.Errorf("the page fetched %s, not from the server %s", u, base)
		}
		sdk = sdk || u == base+"/agentdesk/vendor/twilio.min.js"
	}
	if !sdk {
		t.Errorf("the page never loaded /agentdesk/vendor/twilio.min.js; it fetched %q", requests)
	}
	for _, u := range sockets {
		host := strings.SplitN(strings.TrimPrefix(u, "wss://"), "/", 2)[0]
		if u != "ws"+strings.TrimPrefix(base, "http")+"/agentdesk/ws" && !(strings.HasPrefix(u, "wss://") && strings.HasSuffix(host, ".twilio.com")) {
			t.Errorf("the page opened a socket to %s", u)
		}
	}
	t.Logf("%d requests, all to the server; sockets %q", len(requests), sockets)
}
