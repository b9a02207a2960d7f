package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard"
	"switchboard/agents"
)

// chatDesk is a running server with an agent signed in to the desk and a
// customer on a bank page that embeds the chat widget.
type chatDesk struct {
	m              *Main
	base           string
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
	m, base, _ := runDeskMain(t, append([]string{"SWITCHBOARD_CHAT_ORIGINS", page.URL}, extra...)...)
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
	c := chatDesk{m: m, base: base, desk: browser(t), customer: browser(t)}
	signIn(t, c.desk, base+"/", "agent1", "agentpass1")
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
