package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"switchboard"
	"switchboard/agents"
	"switchboard/channels/twiliosim"
)

// chatDesk is a running server with an agent signed in to the desk and a
// customer on a bank page that embeds the chat widget.
type chatDesk struct {
	m              *Main
	base           string
	sim            *twiliosim.Sim
	desk, customer context.Context
}

// runChatDesk starts the server, an agent "agent1" (available on the desk)
// and a customer page on its own origin, which the widget's socket must
// come from.
func runChatDesk(t *testing.T, extra ...string) chatDesk {
	t.Helper()
	page := httptest.NewUnstartedServer(nil)
	page.Start()
	t.Cleanup(page.Close)
	m, base, sim := runDeskMain(t, append([]string{"SWITCHBOARD_CHAT_ORIGINS", page.URL}, extra...)...)
	page.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The widget asks for a name and a phone with prompt(); a
		// headless browser has nobody to answer, so the page does.
		fmt.Fprintf(w, `<!doctype html><html><body><h1>Bank</h1>
<script>window.prompt = q => q.includes("Mobile") ? "" : "Chen Jie";</script>
<script src="%s/channels/chat/widget.js"></script></body></html>`, base)
	})
	ctx := context.Background()
	if _, err := m.Agents.Create(ctx, agents.NewAgent{Username: "agent1", Name: "Li Na", Password: "agentpass1",
		Role: switchboard.RoleAgent, Tiers: switchboard.ValueTiers}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.Exec(ctx, `INSERT INTO queues (name, title, title_zh) VALUES ('general', 'General', '综合') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	c := chatDesk{m: m, base: base, sim: sim, desk: browser(t), customer: browser(t)}
	signIn(t, c.desk, base+"/", "agent1", "agentpass1")
	poll(t, c.desk, "the desk has its first sync", `S.dispositions.length > 0`)
	if err := chromedp.Do(c.desk, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('state'); s.value = 'available'; s.dispatchEvent(new Event('change')); })()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(c.customer, chromedp.Navigate(page.URL), chromedp.WaitVisible(`[data-in]`)); err != nil {
		t.Fatal(err)
	}
	return c
}

// say sends a message from the customer's widget.
func (c chatDesk) say(t *testing.T, text string) {
	t.Helper()
	err := chromedp.Do(c.customer, chromedp.SendKeys(`[data-in]`, text+"\r"))
	if err != nil {
		t.Fatalf("the customer says %q: %v", text, err)
	}
}

// acceptChat waits for the chat's offer on the desk and accepts it.
func (c chatDesk) acceptChat(t *testing.T) {
	t.Helper()
	poll(t, c.desk, "the chat is offered", `!!document.querySelector('.offer .accept')`)
	if err := chromedp.Do(c.desk, chromedp.Click(`.offer .accept`)); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the reply box opens", `(document.getElementById('reply') || {disabled: true}).disabled === false`)
}

// TestChatBothWaysInBrowser: after the agent accepts, the customer's later
// messages and typing reach the desk, and the agent's replies and typing
// reach the widget.
func TestChatBothWaysInBrowser(t *testing.T) {
	c := runChatDesk(t)
	c.say(t, "Hello, my card was swallowed by an ATM.")
	c.acceptChat(t)
	poll(t, c.desk, "the first message is in the conversation", `document.getElementById('msgs').textContent.includes('swallowed by an ATM')`)

	time.Sleep(2100 * time.Millisecond) // the widget sends typing at most every 2 s
	if err := chromedp.Do(c.customer, chromedp.SendKeys(`[data-in]`, "It was at")); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the desk sees the customer typing", `document.querySelector('#conversation .typing').textContent !== ''`)
	if err := chromedp.Do(c.customer, chromedp.SendKeys(`[data-in]`, " the Xidan branch.\r")); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the customer's later message reaches the desk", `document.getElementById('msgs').textContent.includes('the Xidan branch')`)

	if err := chromedp.Do(c.desk, chromedp.SendKeys(`#reply`, "Sorry to hear")); err != nil {
		t.Fatal(err)
	}
	poll(t, c.customer, "the widget sees the agent typing", `document.querySelector('[data-typing]').textContent !== ''`)
	poll(t, c.desk, "the agent's own typing is not shown as the customer's", `document.querySelector('#conversation .typing').textContent === ''`)
	if err := chromedp.Do(c.desk, chromedp.SendKeys(`#reply`, ", we will block the card now."), chromedp.Click(`#send`)); err != nil {
		t.Fatal(err)
	}
	poll(t, c.customer, "the agent's reply reaches the widget", `document.querySelector('[data-log]').textContent.includes('we will block the card now')`)

	c.say(t, "Thank you.")
	poll(t, c.desk, "the conversation goes on", `document.getElementById('msgs').textContent.includes('Thank you.')`)
	poll(t, c.desk, "every message is shown once", `document.querySelectorAll('#msgs .msg').length === 4`)
}

// replyBox is the reply's text, whether it has the focus, and its caret.
const replyBox = `(() => { const r = document.getElementById('reply'); return r.value + '|' + (document.activeElement === r) + '|' + r.selectionStart; })()`

func expectReply(t *testing.T, ctx context.Context, what, want string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](replyBox))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%s: reply box (text|focused|caret) is %q, want %q", what, got, want)
	}
}

// TestDraftSurvivesInBrowser: a half-typed reply keeps its text, focus and
// caret while the customer's messages and typing and a new offer arrive,
// and each conversation keeps its own draft when the agent switches.
func TestDraftSurvivesInBrowser(t *testing.T) {
	c := runChatDesk(t)
	c.say(t, "Hello, I need a new card.")
	c.acceptChat(t)
	if err := chromedp.Do(c.desk, chromedp.SendKeys(`#reply`, "Certainly, may I ask")); err != nil {
		t.Fatal(err)
	}
	const half = "Certainly, may I ask|true|20"
	time.Sleep(2100 * time.Millisecond) // the widget sends typing at most every 2 s
	c.say(t, "It is for my debit card.")
	poll(t, c.desk, "the customer's message arrives", `document.getElementById('msgs').textContent.includes('my debit card')`)
	expectReply(t, c.desk, "after the customer's message", half)

	if _, err := c.sim.Text(context.Background(), "+8613700000002", "Is the branch open on Sunday?"); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "an SMS is offered", `!!document.querySelector('.offer .accept')`)
	expectReply(t, c.desk, "after an offer", half)

	if err := chromedp.Do(c.desk, chromedp.Click(`.offer .accept`)); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the SMS conversation opens", `document.querySelectorAll('#work .item').length === 2 && document.getElementById('msgs').textContent.includes('Sunday')`)
	if err := chromedp.Do(c.desk, chromedp.Click(`#reply`), chromedp.SendKeys(`#reply`, "Yes, from 10")); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(c.desk, chromedp.Click(`#work .item:first-child`)); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "back on the chat", `document.getElementById('msgs').textContent.includes('my debit card')`)
	if got, _ := chromedp.Run(c.desk, chromedp.Evaluate[string](`document.getElementById('reply').value`)); got != "Certainly, may I ask" {
		t.Fatalf("the chat's draft is %q after switching back", got)
	}
	if err := chromedp.Do(c.desk, chromedp.Click(`#work .item:last-child`)); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "back on the SMS with its draft", `document.getElementById('reply').value === 'Yes, from 10'`)
}

// secondsLeft reads the wrap-up countdown ("12 s left") as a number.
const secondsLeft = `parseInt(document.getElementById('wrapup-left').textContent, 10)`

// TestWrapUpCountdownInBrowser: the wrap-up shows its time left, Extend
// adds to it, and when the time runs out the interaction is completed with
// what the agent had chosen and typed.
func TestWrapUpCountdownInBrowser(t *testing.T) {
	c := runChatDesk(t, "SWITCHBOARD_WRAPUP", "5s", "SWITCHBOARD_WRAPUP_MAX", "15s")
	c.say(t, "Please close my account.")
	c.acceptChat(t)
	if err := chromedp.Do(c.desk, chromedp.Click(`#end`)); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the countdown shows", `!document.getElementById('wrapup-clock').hidden && `+secondsLeft+` > 0 && `+secondsLeft+` <= 5`)
	before, err := chromedp.Run(c.desk, chromedp.Evaluate[int](secondsLeft))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(c.desk, chromedp.Click(`#wrapup-extend`)); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "Extend adds time", fmt.Sprintf(`%s >= %d`, secondsLeft, before+3))
	err = chromedp.Do(c.desk,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('disposition'); s.value = 'enquiry'; s.dispatchEvent(new Event('change')); })()`),
		chromedp.SendKeys(`#notes`, "Wants to close the account; sent the form."))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the time runs out and the desk says the draft was kept", `document.getElementById('toast').textContent.includes('what you typed was saved')`)
	// The chat's customer is not identified, so the notes stay with the
	// interaction's wrap-up record.
	var disp, notes string
	deadline := time.Now().Add(5 * time.Second)
	for disp == "" && time.Now().Before(deadline) {
		c.m.DB.QueryRow(context.Background(), `SELECT i.disposition, e.data->>'notes' FROM interactions i
			JOIN interaction_events e ON e.interaction_id = i.id AND e.kind = 'wrapup_recorded' WHERE i.channel = 'chat'`).Scan(&disp, &notes)
		time.Sleep(50 * time.Millisecond)
	}
	if notes != "Wants to close the account; sent the form." {
		t.Fatalf("the timed-out chat kept notes %q", notes)
	}
	if disp != "enquiry" {
		t.Fatalf("the timed-out chat was recorded with disposition %q, want the chosen enquiry", disp)
	}
}

// TestHandoverNoteInBrowser: a warm transfer's note shows on the offer
// card and in the pop of the agent it reaches (here the same agent, back
// through the queue).
func TestHandoverNoteInBrowser(t *testing.T) {
	c := runChatDesk(t)
	c.say(t, "I want to dispute a card payment.")
	c.acceptChat(t)
	poll(t, c.desk, "the queue picker is filled", `!!document.querySelector('#transfer-queue option[value=general]')`)
	err := chromedp.Do(c.desk,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('transfer-queue'); s.value = 'general'; s.dispatchEvent(new Event('change')); })()`),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('transfer-mode'); s.value = 'warm'; s.dispatchEvent(new Event('change')); })()`),
		chromedp.SendKeys(`#transfer-note`, "Disputes a payment of 300 yuan on 2 May."),
		chromedp.Click(`#transfer button.primary`))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the offer card shows the note", `(document.querySelector('.offer .handover-note') || {textContent: ''}).textContent.includes('300 yuan')`)
	poll(t, c.desk, "the pop shows the handover", `(document.getElementById('pop-handovers') || {textContent: ''}).textContent.includes('Li Na')`)
}

// contrastOf is the WCAG contrast ratio of the element's text against the
// first opaque background behind it.
const contrastOf = `((sel) => {
  const e = document.querySelector(sel);
  const rgb = s => s.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  let bg = null;
  for (let x = e; x && !bg; x = x.parentElement) { const c = rgb(getComputedStyle(x).backgroundColor); if (c.length < 4 || c[3] > 0) bg = c; }
  const a = lum(rgb(getComputedStyle(e).color)), b = lum(bg || [255, 255, 255]);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
})`

// overflowing lists the fields that stick out of their card.
const overflowing = `[...document.querySelectorAll('.card input, .card select, .card textarea')].filter(e => {
  if (!e.offsetParent) return false;
  const card = e.closest('.card').getBoundingClientRect(), r = e.getBoundingClientRect();
  return r.right > card.right + 0.5 || r.left < card.left - 0.5;
}).map(e => e.id || e.name || e.placeholder || e.tagName).join(',')`

// TestDeskDetailsInBrowser: the break reason shows a placeholder unless on
// a break, an unidentified contact has no tier chip, "Open customer" is
// readable, and no field sticks out of its card.
func TestDeskDetailsInBrowser(t *testing.T) {
	c := runChatDesk(t)
	ctx := context.Background()
	poll(t, c.desk, "the agent is available", `document.getElementById('state').value === 'available'`)
	reasonShown := `(() => { const r = document.getElementById('break-reason'); return r.value + '|' + r.selectedOptions[0].textContent; })()`
	if got, _ := chromedp.Run(c.desk, chromedp.Evaluate[string](reasonShown)); got != "|Reason…" {
		t.Fatalf("while available the break reason shows %q, want the placeholder", got)
	}
	err := chromedp.Do(c.desk, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('break-reason'); s.value = 'training'; s.dispatchEvent(new Event('change')); })()`))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "choosing a reason goes on a break", `document.getElementById('state').value === 'break' && document.getElementById('break-reason').value === 'training'`)
	err = chromedp.Do(c.desk, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('state'); s.value = 'available'; s.dispatchEvent(new Event('change')); })()`))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "back to available, the reason is a placeholder again", `document.getElementById('break-reason').value === ''`)

	c.say(t, "Hi, a question about fees.")
	poll(t, c.desk, "the chat is offered", `!!document.querySelector('.offer .accept')`)
	if n, _ := chromedp.Run(c.desk, chromedp.Evaluate[int](`document.querySelectorAll('.offer .tier').length`)); n != 0 {
		t.Fatal("the unidentified contact's offer carries a tier chip")
	}
	c.acceptChat(t)
	if n, _ := chromedp.Run(c.desk, chromedp.Evaluate[int](`document.querySelectorAll('#work .item .tier').length`)); n != 0 {
		t.Fatal("the unidentified contact's conversation carries a tier chip")
	}
	if got, _ := chromedp.Run(c.desk, chromedp.Evaluate[string](overflowing)); got != "" {
		t.Fatalf("fields stick out of their cards: %s", got)
	}

	// A task, opened: its outcome form sits in the narrow left column.
	var cust int64
	err = c.m.DB.QueryRow(ctx, `INSERT INTO customers (name, phone, value_tier, activity_layer) VALUES ('Zhang Wei', '+8613912345678', 'vip', 'active') RETURNING id`).Scan(&cust)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.m.DB.Exec(ctx, `INSERT INTO outbound_tasks (kind, agent_id, customer_id, title, due_at, created_at)
		VALUES ('triggered_call', (SELECT id FROM agents WHERE username = 'agent1'), $1, 'Large withdrawal', now() + interval '1 day', now())`, cust)
	if err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the task appears", `!!document.querySelector('.task-open')`)
	if ratio, _ := chromedp.Run(c.desk, chromedp.Evaluate[float64](contrastOf+`('.task-open')`)); ratio < 4.5 {
		t.Fatalf("Open customer has contrast %.2f:1, want at least 4.5:1", ratio)
	}
	if err := chromedp.Do(c.desk, chromedp.Click(`.task-open`), chromedp.WaitVisible(`#task-note`)); err != nil {
		t.Fatal(err)
	}
	if got, _ := chromedp.Run(c.desk, chromedp.Evaluate[string](overflowing)); got != "" {
		t.Fatalf("fields of the task's outcome stick out of their card: %s", got)
	}
}

// TestAccessibleDeskInBrowser: the reply box and the search are labelled,
// offers, toasts and countdowns reach a screen reader through live
// regions, and the conversation list is operated from the keyboard.
func TestAccessibleDeskInBrowser(t *testing.T) {
	c := runChatDesk(t)
	c.say(t, "Hello?")
	poll(t, c.desk, "the chat is offered", `!!document.querySelector('.offer .accept')`)
	live := `['#offers', '#toast', '#announce'].map(s => s + '=' + document.querySelector(s).getAttribute('aria-live')).join(' ')`
	if got, _ := chromedp.Run(c.desk, chromedp.Evaluate[string](live)); got != "#offers=polite #toast=polite #announce=polite" {
		t.Fatalf("live regions: %s", got)
	}
	if role, _ := chromedp.Run(c.desk, chromedp.Evaluate[string](`document.querySelector('.offer .countdown').getAttribute('role')`)); role != "timer" {
		t.Fatalf("the offer's countdown has role %q, want timer", role)
	}
	c.acceptChat(t)
	labels := `['#reply', '#search-q'].map(s => (document.querySelector(s) || {}).ariaLabel || '').join('|')`
	if got, _ := chromedp.Run(c.desk, chromedp.Evaluate[string](labels)); got != "Reply to the customer|Find a customer by name, phone or ID" {
		t.Fatalf("labels of the reply box and the search: %q", got)
	}

	if _, err := c.sim.Text(context.Background(), "+8613700000004", "When does my deposit mature?"); err != nil {
		t.Fatal(err)
	}
	c.acceptChat(t)
	poll(t, c.desk, "two conversations", `document.querySelectorAll('#work .item').length === 2`)
	// Tab reaches the list at its selected item, the SMS; the arrow keys
	// move to the chat, Enter opens it.
	tabbable := `[...document.querySelectorAll('#work .item')].map(e => e.tabIndex).join(',')`
	if got, _ := chromedp.Run(c.desk, chromedp.Evaluate[string](tabbable)); got != "-1,0" {
		t.Fatalf("tab stops of the list: %s, want only the selected item", got)
	}
	err := chromedp.Do(c.desk, chromedp.Focus(`#work .item[tabindex="0"]`), chromedp.KeyEvent(kb.ArrowUp))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "ArrowUp moves to the chat", `document.activeElement === document.querySelector('#work .item:first-child')`)
	if err := chromedp.Do(c.desk, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "Enter opens the chat, keeping the focus on it",
		`document.getElementById('msgs').textContent.includes('Hello?') && document.activeElement === document.querySelector('#work .item:first-child') && document.activeElement.getAttribute('aria-selected') === 'true'`)
}

// TestBidiControlsNeutralisedInBrowser: a right-to-left override in a
// customer's message cannot reorder what the agent reads; the desk shows
// where it was instead.
func TestBidiControlsNeutralisedInBrowser(t *testing.T) {
	c := runChatDesk(t)
	c.say(t, "Hello")
	c.acceptChat(t)
	poll(t, c.desk, "the first message is in the conversation", `document.getElementById('msgs').textContent.includes('Hello')`)
	// "transfer 0001 yuan" with an override that would show it as 1000.
	if err := chromedp.Do(c.customer, chromedp.Evaluate[chromedp.Void](`(() => {
		const i = document.querySelector('[data-in]'); i.value = 'transfer \u202E1000\u202C yuan';
	})()`), chromedp.SendKeys(`[data-in]`, "\r")); err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the message arrives", `document.getElementById('msgs').textContent.includes('yuan')`)
	poll(t, c.desk, "no bidi control reaches the page", `!/[\u202A-\u202E\u2066-\u2069]/.test(document.getElementById('msgs').textContent)`)
	poll(t, c.desk, "the agent sees where the control was", `document.getElementById('msgs').textContent.includes('transfer \u27E8?\u27E91000\u27E8?\u27E9 yuan')`)
}
