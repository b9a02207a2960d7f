package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard"
	"switchboard/agents"
	"switchboard/channels/twiliosim"
	"switchboard/internal/testenv"
)

const chromiumPath = "/usr/bin/chromium"

// runDeskMain starts the server on a port chosen first, so that its public
// URL (which the desk's Origin check and Twilio's signatures use) is known,
// with the Twilio simulator as its Twilio. extra are more variables, as
// name, value pairs.
func runDeskMain(tb testing.TB, extra ...string) (*Main, string, *twiliosim.Sim) {
	tb.Helper()
	addr := freeAddr(tb)
	base := "http://" + addr
	const sid, token, number = "ACdesk000000000000000000000000001", "deskauthtoken0001", "+8610955880"
	sim := twiliosim.New(twiliosim.Config{AccountSID: sid, AuthToken: token, Number: number, SMSURL: base + "/channels/twilio/sms"})
	simSrv := httptest.NewServer(sim.Handler())
	tb.Cleanup(simSrv.Close)
	_, prefix := testenv.MustRedis(tb)
	vars := map[string]string{
		"DATABASE_URL": testenv.MustCreateDB(tb), "REDIS_URL": testenv.RedisURL(), "SWITCHBOARD_ADDR": addr,
		"SWITCHBOARD_PUBLIC_URL": base, "SWITCHBOARD_REDIS_PREFIX": prefix, "TWILIO_ACCOUNT_SID": sid,
		"TWILIO_AUTH_TOKEN": token, "TWILIO_FROM_NUMBER": number, "TWILIO_API_URL": simSrv.URL,
		"SWITCHBOARD_CHAT_KEY": "test-chat-key-test-chat-key-test-chat-key",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		vars[extra[i]] = extra[i+1]
	}
	return runMain(tb, vars), base, sim
}

// browser starts a headless Chromium with its own profile (so two browsers
// hold two sessions) and returns a tab's context.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the desk's browser test needs Debian's chromium at %s (make test installs it with deploy/local/chromium.sh): %v", chromiumPath, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-quic", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 960))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel := context.WithTimeout(bctx, 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func signIn(t *testing.T, ctx context.Context, url, user, pw string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(`#login`),
		chromedp.SendKeys(`#login input[name=username]`, user), chromedp.SendKeys(`#login input[name=password]`, pw),
		chromedp.Click(`#login button[type=submit]`), chromedp.WaitVisible(`#app`),
		chromedp.Poll[chromedp.Void](`document.getElementById('conn').classList.contains('online')`))
	if err != nil {
		t.Fatalf("%s signs in at %s: %v", user, url, err)
	}
}

func poll(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// TestDeskInBrowser: a supervisor and an agent log in, the agent goes
// available, a VIP customer texts through the Twilio simulator, the offer
// pops with the tier and relationship manager, the agent accepts and
// replies, the customer's phone receives the reply, the agent wraps up, and
// the wallboard's counters move.
func TestDeskInBrowser(t *testing.T) {
	m, base, sim := runDeskMain(t)
	ctx := context.Background()
	deskStaff(t, m)
	const phone = "+8613912345678"
	var custID int64
	err := m.DB.QueryRow(ctx, `INSERT INTO customers (name, name_zh, phone, value_tier, activity_layer, rm_id, aum)
		VALUES ('Zhang Wei', '张伟', $1, 'vip', 'active', (SELECT id FROM agents WHERE username = 'rm1'), 2500000) RETURNING id`, phone).Scan(&custID)
	if err != nil {
		t.Fatal(err)
	}
	m.DB.Exec(ctx, `INSERT INTO customer_events (customer_id, kind, amount, occurred_at, received_at) VALUES ($1, 'large_withdrawal', 500000, now(), now())`, custID)
	if _, err := m.DB.Exec(ctx, `INSERT INTO queues (name, title, title_zh) VALUES ('general', 'General', '综合') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}

	board, desk := browser(t), browser(t)
	signIn(t, board, base+"/agentdesk/wallboard.html", "super1", "superpass1")
	signIn(t, desk, base+"/", "agent1", "agentpass1")
	if err := chromedp.Do(desk, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('state'); s.value = 'available'; s.dispatchEvent(new Event('change')); })()`)); err != nil {
		t.Fatal(err)
	}
	poll(t, board, "the wallboard shows the agent available", `document.getElementById('t-available').textContent === '1'`)

	if _, err := sim.Text(ctx, phone, "Hello, I moved a large sum last week and want advice."); err != nil {
		t.Fatal(err)
	}
	poll(t, desk, "the offer pops", `!!document.querySelector('.offer')`)
	offer, err := chromedp.Run(desk, chromedp.Text(`.offer`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(offer, "VIP / premier client") || !strings.Contains(offer, "Wang Fang") {
		t.Fatalf("offer shows %q, want the VIP tier and RM Wang Fang", offer)
	}
	poll(t, desk, "the pop shows the suggested action", `document.getElementById('pop').textContent.includes('offer a wealth review')`)

	err = chromedp.Do(desk, chromedp.Click(`.offer .accept`),
		chromedp.Poll[chromedp.Void](`(document.getElementById('reply') || {disabled: true}).disabled === false`),
		chromedp.SendKeys(`#reply`, "Good afternoon Mr Zhang, your relationship manager will call you today."),
		chromedp.Click(`#send`),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#msgs .msg.outbound').length === 1`))
	if err != nil {
		t.Fatalf("accept and reply: %v", err)
	}
	waitInbox(t, sim, phone, "your relationship manager will call you today")
	poll(t, board, "the wallboard counts the answered VIP text", `(document.querySelector('#queue-table tr[data-tier=vip] .answered') || {}).textContent === '1'`)
	screenshot(t, desk, "desk.png")

	err = chromedp.Do(desk,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('disposition'); s.value = 'enquiry'; })()`),
		chromedp.SendKeys(`#notes`, "Withdrawal was for a flat; wants a wealth review."),
		chromedp.Click(`#wrapup-submit`),
		chromedp.Poll[chromedp.Void](`document.getElementById('wrapup').hidden`))
	if err != nil {
		t.Fatalf("wrap-up: %v", err)
	}
	var disp string
	deadline := time.Now().Add(10 * time.Second)
	for disp != "enquiry" && time.Now().Before(deadline) {
		m.DB.QueryRow(ctx, `SELECT disposition FROM interactions WHERE customer_id = $1`, custID).Scan(&disp)
		time.Sleep(100 * time.Millisecond)
	}
	if disp != "enquiry" {
		t.Fatalf("disposition %q after wrap-up", disp)
	}
	poll(t, board, "the wallboard shows the agent free again", `document.querySelector('#agent-table td.st-available') !== null`)
	screenshot(t, board, "wallboard.png")

	// An outbound task for the agent appears in My tasks without a reload;
	// the agent opens the customer and records the outcome, and it leaves.
	var task int64
	err = m.DB.QueryRow(ctx, `INSERT INTO outbound_tasks (kind, agent_id, customer_id, title, due_at, created_at)
		VALUES ('triggered_call', (SELECT id FROM agents WHERE username = 'agent1'), $1, 'Large withdrawal', now() + interval '1 day', now())
		RETURNING id`, custID).Scan(&task)
	if err != nil {
		t.Fatal(err)
	}
	sel := fmt.Sprintf("#task-%d", task)
	poll(t, desk, "the task appears", fmt.Sprintf(`(document.querySelector('%s') || {textContent: ''}).textContent.includes('VIP / premier client')`, sel))
	err = chromedp.Do(desk, chromedp.Click(sel+` .task-open`),
		chromedp.Poll[chromedp.Void](`document.getElementById('pop-name') !== null && document.getElementById('pop-name').textContent.includes('Zhang Wei')`),
		chromedp.Evaluate[chromedp.Void](`(() => { document.querySelector('.task-code').value = 'interested'; })()`),
		chromedp.Click(`.task-save`),
		chromedp.Poll[chromedp.Void](`document.querySelector('#tasks .task') === null`))
	if err != nil {
		t.Fatalf("task outcome: %v", err)
	}

	// Every label switches to Chinese, with the glossary's names.
	err = chromedp.Do(desk, chromedp.Click(`#lang`),
		chromedp.Poll[chromedp.Void](`document.querySelector('[data-i18n="state.label"]').textContent === '我的状态'`))
	if err != nil {
		t.Fatalf("switch to Chinese: %v", err)
	}
}

func waitInbox(t *testing.T, sim *twiliosim.Sim, phone, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		for _, msg := range sim.Inbox(phone) {
			if strings.Contains(msg.Body, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the customer's phone never received %q; inbox %+v", want, sim.Inbox(phone))
}

// screenshot saves the page to $SWITCHBOARD_SCREENSHOTS/name when that is
// set (make screenshots sets it to docs).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SWITCHBOARD_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", "..", dir) // tests run in cmd/switchboard
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log("saved", filepath.Join(dir, name), strconv.Itoa(len(png)), "bytes")
}

// deskStaff creates the browser tests' staff: agent1 (an agent), super1 (a
// supervisor) and rm1 (a relationship manager).
func deskStaff(t *testing.T, m *Main) {
	t.Helper()
	for _, n := range []agents.NewAgent{
		{Username: "agent1", Name: "Li Na", Password: "agentpass1", Role: switchboard.RoleAgent, Tiers: switchboard.ValueTiers},
		{Username: "super1", Name: "Zhou Min", Password: "superpass1", Role: switchboard.RoleSupervisor},
		{Username: "rm1", Name: "Wang Fang", Password: "rmpass0001", Role: switchboard.RoleRM, Tiers: switchboard.ValueTiers},
	} {
		if _, err := m.Agents.Create(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
}
