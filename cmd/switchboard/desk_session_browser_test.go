package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard"
	"switchboard/agents"
)

// TestDeskInBrowserShowsBidiInertAndSignsOut: a customer's text with a
// right-to-left override reaches the desk with the override shown as a
// replacement character, not obeyed; then the agent's session is ended
// elsewhere (an operator deletes it) and the desk goes back to the
// sign-in form by itself instead of reconnecting.
func TestDeskInBrowserShowsBidiInertAndSignsOut(t *testing.T) {
	m, base, sim := runDeskMain(t)
	ctx := context.Background()
	a, err := m.Agents.Create(ctx, agents.NewAgent{Username: "agent1", Name: "Li Na", Password: "agentpass1", Role: switchboard.RoleAgent, Tiers: switchboard.ValueTiers})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.Exec(ctx, `INSERT INTO queues (name, title, title_zh) VALUES ('general', 'General', '综合') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	desk := browser(t)
	signIn(t, desk, base+"/", "agent1", "agentpass1")
	if err := chromedp.Do(desk, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('state'); s.value = 'available'; s.dispatchEvent(new Event('change')); })()`)); err != nil {
		t.Fatal(err)
	}
	poll(t, desk, "the agent is available", `document.getElementById('state').value === 'available'`)
	if _, err := sim.Text(ctx, "+8613912345678", "Open invoice\u202Efdp.exe\u202C please"); err != nil {
		t.Fatal(err)
	}
	poll(t, desk, "the offer pops", `!!document.querySelector('.offer')`)
	if err := chromedp.Do(desk, chromedp.Click(`.offer .accept`)); err != nil {
		t.Fatal(err)
	}
	poll(t, desk, "the message shows with its override inert",
		`(() => { const t = (document.getElementById('msgs') || {textContent: ''}).textContent; return t.includes('Open invoice\u27E8?\u27E9fdp.exe\u27E8?\u27E9 please') && !/[\u202A-\u202E\u2066-\u2069]/.test(document.body.textContent); })()`)

	if _, err := m.DB.Exec(ctx, `DELETE FROM sessions WHERE agent_id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	// The page reloads itself meanwhile, which ends a poll: ask again.
	deadline := time.Now().Add(20 * time.Second)
	for {
		shown, err := chromedp.Run(desk, chromedp.Evaluate[bool](`!!document.querySelector('.login') && !document.querySelector('.login').hidden`))
		if err == nil && shown {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the desk never showed the sign-in form (%v)", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
