package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"switchboard"
	"switchboard/agents"
)

// pick chooses value in the select sel as a person would (focus, choose,
// change) and clicks button, in one step: the wallboard redraws its tables
// every second, and a choice must not be lost between the two.
func pick(t *testing.T, ctx context.Context, sel, value, button string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.focus(); s.value = %q;
		s.dispatchEvent(new Event('change')); s.closest('tr, form').querySelector(%q).click(); })()`, sel, value, button)
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](js)); err != nil {
		t.Fatalf("pick %s in %s: %v", value, sel, err)
	}
}

// transferToLoans has the agent pick the "loans" queue (which nobody on
// shift serves) for a chat and transfer it there, and waits until it waits
// in that queue.
func transferToLoans(t *testing.T, c chatDesk) int64 {
	t.Helper()
	ctx := context.Background()
	if _, err := c.m.DB.Exec(ctx, `INSERT INTO queues (name, title, title_zh, skills) VALUES ('loans', 'Loans', '贷款', '{loans}')`); err != nil {
		t.Fatal(err)
	}
	c.say(t, "I would like to ask about a loan.")
	c.acceptChat(t)
	poll(t, c.desk, "the queue picker lists the queues by title",
		`(document.querySelector('#transfer-queue option[value=loans]') || {textContent: ''}).textContent === 'Loans'`)
	err := chromedp.Do(c.desk, chromedp.Evaluate[chromedp.Void](`setLang('zh')`))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the picker names the queue in Chinese", `document.querySelector('#transfer-queue option[value=loans]').textContent === '贷款'`)
	pick(t, c.desk, "#transfer-queue", "loans", "button.primary")
	var id int64
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		err := c.m.DB.QueryRow(ctx, `SELECT id FROM interactions WHERE channel = 'chat' AND queue = 'loans' AND state = 'queued'`).Scan(&id)
		if err == nil {
			return id
		}
		if time.Now().After(deadline) {
			t.Fatalf("the chat is not waiting in loans: %v", err)
		}
	}
}

// TestTransferPickerInBrowser: the agent transfers a chat by choosing its
// queue from a list of titles, not by typing its code.
func TestTransferPickerInBrowser(t *testing.T) {
	c := runChatDesk(t)
	transferToLoans(t, c)
	poll(t, c.desk, "the desk says it is transferred", `document.getElementById('toast').textContent === '已转接'`)
}

// TestMovePickerInBrowser: the supervisor moves a waiting chat to an agent
// chosen from the wallboard's list of who is available.
func TestMovePickerInBrowser(t *testing.T) {
	c := runChatDesk(t)
	ctx := context.Background()
	if _, err := c.m.Agents.Create(ctx, agents.NewAgent{Username: "super1", Name: "Zhou Min", Password: "superpass1",
		Role: switchboard.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	var li int64
	if err := c.m.DB.QueryRow(ctx, `SELECT id FROM agents WHERE username = 'agent1'`).Scan(&li); err != nil {
		t.Fatal(err)
	}
	id := transferToLoans(t, c)
	poll(t, c.desk, "the desk has no offer", `!document.querySelector('.offer')`)

	board := browser(t)
	signIn(t, board, c.base+"/agentdesk/wallboard.html", "super1", "superpass1")
	row := fmt.Sprintf(`#waiting-table tr[data-interaction="%d"]`, id)
	opt := fmt.Sprintf(`%s .move-agent option[value="%d"]`, row, li)
	poll(t, board, "the wallboard offers Li Na, available, for the chat",
		fmt.Sprintf(`(o => !!o && o.dataset.state === 'available' && o.dataset.can === 'yes' && o.textContent.startsWith('Li Na · Available'))(document.querySelector(%q))`, opt))
	pick(t, board, row+" .move-agent", fmt.Sprint(li), "button.move")
	poll(t, c.desk, "the chat is offered to Li Na again", `!!document.querySelector('.offer .accept')`)
}
