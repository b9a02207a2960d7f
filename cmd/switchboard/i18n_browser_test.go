package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// shownText is every string a person reads on the page: the visible text
// (with every option of a select), and the placeholders and labels of the
// visible controls. What people wrote (messages, notes, complaint
// summaries) is marked data-free in the page and left out: it is shown as
// it was written, in whatever language that was; so is the language
// switch, which names the other language in that language.
const shownText = `(() => {
	const skip = [...document.querySelectorAll('[data-free], #lang')]; // the pages' CSP refuses a <style>
	const was = skip.map(e => e.style.display);
	skip.forEach(e => { e.style.display = 'none'; });
	const out = [document.body.innerText];
	document.querySelectorAll('select').forEach(s => { if (s.checkVisibility()) out.push(...[...s.options].map(o => o.textContent)); });
	document.querySelectorAll('[placeholder], [aria-label], [title]').forEach(e => {
		if (!e.checkVisibility() && !e.closest('#announce')) return;
		for (const a of ['placeholder', 'aria-label', 'title']) { const v = e.getAttribute(a); if (v) out.push(v); }
	});
	skip.forEach((e, i) => { e.style.display = was[i]; });
	return out.join('\n');
})()`

var (
	// keyShaped is an i18n key or a server code shown as it is:
	// disp.follow_up, credit_card, lang:en.
	keyShaped = regexp.MustCompile(`\b[a-z]+[._:][a-z_.:]+\b`)
	// notCode is what may look like a code and is not: e-mail addresses
	// and URLs.
	notCode     = regexp.MustCompile(`\S+@\S+|https?://\S+`)
	latinWord   = regexp.MustCompile(`[A-Za-z]+`)
	englishTime = regexp.MustCompile(`\b(AM|PM)\b`)
	// inChinese is what may stay in Latin letters on a Chinese page: the
	// product's and its providers' names, the seeded people's names, and
	// abbreviations a Chinese bank writes in Latin letters.
	inChinese = map[string]bool{"Switchboard": true, "Twilio": true, "VIP": true, "SMS": true, "IVR": true,
		"Zhang": true, "Wei": true, "Li": true, "Na": true, "Zhou": true, "Min": true, "Wang": true, "Fang": true}
)

// untranslated lists what in text is a raw key or code, and, on a Chinese
// page, every English word and English time.
func untranslated(text, lang string) []string {
	var bad []string
	clean := notCode.ReplaceAllString(text, " ")
	for _, m := range keyShaped.FindAllString(clean, -1) {
		bad = append(bad, "code "+m)
	}
	if lang != "zh" {
		return bad
	}
	for _, w := range latinWord.FindAllString(clean, -1) {
		if len(w) > 2 && !inChinese[w] {
			bad = append(bad, "English "+w)
		}
	}
	for _, m := range englishTime.FindAllString(clean, -1) {
		bad = append(bad, "English time "+m)
	}
	return bad
}

// expectTranslated shows the page in English and then in Chinese, and
// fails on anything untranslated; the page is left in English.
func expectTranslated(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	for _, lang := range []string{"en", "zh", "en"} {
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`setLang('`+lang+`'), `+shownText))
		if err != nil {
			t.Fatalf("%s (%s): %v", where, lang, err)
		}
		if bad := untranslated(text, lang); len(bad) > 0 {
			t.Errorf("%s in %s shows %s\npage text:\n%s", where, lang, strings.Join(dedupe(bad), ", "), text)
		}
	}
}

func dedupe(xs []string) []string {
	seen, out := map[string]bool{}, []string{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// expectErrorTranslated makes a request the server refuses, in each
// language, and expects the toast to say why in that language.
func expectErrorTranslated(t *testing.T, ctx context.Context) {
	t.Helper()
	for _, lang := range []string{"en", "zh"} {
		err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`setLang('`+lang+`'); document.getElementById('toast').textContent = '';
			S.sock.request('wrapup', { interaction_id: 987654321, disposition: 'enquiry', notes: '' }).catch(e => toast(errText(e), true))`))
		if err != nil {
			t.Fatal(err)
		}
		poll(t, ctx, "the refusal is shown", `document.getElementById('toast').textContent !== ''`)
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('toast').textContent`))
		if err != nil {
			t.Fatal(err)
		}
		bad := untranslated(text, lang)
		if lang == "zh" && !regexp.MustCompile(`\p{Han}`).MatchString(text) {
			bad = append(bad, "no Chinese")
		}
		if len(bad) > 0 {
			t.Errorf("the server's refusal in %s reads %q: %s", lang, text, strings.Join(bad, ", "))
		}
	}
	chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`setLang('en')`))
}

// TestDeskTranslatedInBrowser walks the desk and the wallboard in English
// and in Chinese (an offer with its screen pop: holdings, past contacts
// with the seeded dispositions, the IVR path; a conversation with its
// delivery statuses; wrap-up; a refused request; a break) and fails on any
// key or code shown raw, and on any English on the Chinese pages.
func TestDeskTranslatedInBrowser(t *testing.T) {
	m, base, sim := runDeskMain(t)
	ctx := context.Background()
	deskStaff(t, m)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := m.DB.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO queues (name, title, title_zh) VALUES ('general', 'General enquiries', '综合服务'), ('cards', 'Cards', '信用卡')
		ON CONFLICT (name) DO UPDATE SET title = EXCLUDED.title, title_zh = EXCLUDED.title_zh`)
	const phone = "+8613912345678"
	var cust int64
	err := m.DB.QueryRow(ctx, `INSERT INTO customers (name, name_zh, phone, language, value_tier, activity_layer, lifecycle_stage, risk_preference, rm_id, aum)
		VALUES ('Zhang Wei', '张伟', $1, 'en', 'vip', 'core', 'mature', 'growth', (SELECT id FROM agents WHERE username = 'rm1'), 2500000)
		RETURNING id`, phone).Scan(&cust)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range []string{"deposit", "time_deposit", "wealth", "fund", "insurance", "credit_card", "mortgage", "personal_loan"} {
		exec(`INSERT INTO accounts (customer_id, number, product, balance) VALUES ($1, $2, $3, $4)`, cust, "622200000000"+string(rune('0'+i)), p, 1000*(i+1))
	}
	for i, d := range []string{"follow_up", "info_provided", "resolved", "complaint_logged", "call_back_later", "not_interested", "transferred"} {
		exec(`INSERT INTO interactions (channel, state, customer_id, queue, tier, disposition, created_at, end_reason)
			VALUES ('voice', 'done', $1, 'cards', 'vip', $2, now() - make_interval(days => $3), 'customer_hangup')`, cust, d, i+1)
	}
	exec(`INSERT INTO complaints (customer_id, category, status, summary) VALUES ($1, 'fees', 'in_progress', 'Annual card fee charged although waived')`, cust)
	exec(`INSERT INTO notes (customer_id, body) VALUES ($1, 'Prefers to be called after 18:00.')`, cust)
	exec(`INSERT INTO customer_events (customer_id, kind, amount, occurred_at, received_at) VALUES ($1, 'large_withdrawal', 500000, now(), now())`, cust)

	// A wrong password is refused in the page's words.
	login := browser(t)
	for _, lang := range []string{"en", "zh"} {
		err := chromedp.Do(login, chromedp.Navigate(base+"/"), chromedp.WaitVisible(`#login`),
			chromedp.Evaluate[chromedp.Void](`setLang('`+lang+`')`),
			chromedp.SendKeys(`#login input[name=username]`, "agent1"), chromedp.SendKeys(`#login input[name=password]`, "not the password"),
			chromedp.Click(`#login button[type=submit]`),
			chromedp.Poll[chromedp.Void](`document.getElementById('login-error').textContent !== ''`, chromedp.WithPollingTimeout(20*time.Second)))
		if err != nil {
			t.Fatalf("a wrong password in %s: %v", lang, err)
		}
		expectTranslated(t, login, "a refused sign-in ("+lang+")")
	}

	board, desk := browser(t), browser(t)
	signIn(t, board, base+"/agentdesk/wallboard.html", "super1", "superpass1")
	signIn(t, desk, base+"/", "agent1", "agentpass1")
	setAvailable := `(() => { const s = document.getElementById('state'); s.value = 'available'; s.dispatchEvent(new Event('change')); })()`
	if err := chromedp.Do(desk, chromedp.Evaluate[chromedp.Void](setAvailable)); err != nil {
		t.Fatal(err)
	}
	poll(t, board, "the wallboard shows the agent available", `document.getElementById('t-available').textContent === '1'`)
	expectTranslated(t, desk, "the idle desk")

	// The offer, with the IVR path a call would have taken.
	if _, err := sim.Text(ctx, phone, "Hello, I moved a large sum last week and want advice."); err != nil {
		t.Fatal(err)
	}
	poll(t, desk, "the offer pops", `!!document.querySelector('.offer')`)
	exec(`UPDATE interactions SET ivr_path = '{lang:en,intent:cards}' WHERE customer_id = $1 AND state = 'offered'`, cust)
	if err := chromedp.Do(desk, chromedp.Evaluate[chromedp.Void](`S.sock.request('sync').catch(() => {})`)); err != nil {
		t.Fatal(err)
	}
	poll(t, desk, "the offer has its IVR path", `S.offers.size === 1 && [...S.offers.values()][0].interaction.ivr_path.length === 2`)
	expectTranslated(t, desk, "the offer and its screen pop")

	// The conversation, with the reply's delivery status.
	err = chromedp.Do(desk, chromedp.Click(`.offer .accept`),
		chromedp.Poll[chromedp.Void](`(document.getElementById('reply') || {disabled: true}).disabled === false`),
		chromedp.SendKeys(`#reply`, "Good afternoon Mr Zhang, your relationship manager will call you today."),
		chromedp.Click(`#send`))
	if err != nil {
		t.Fatalf("accept and reply: %v", err)
	}
	waitInbox(t, sim, phone, "your relationship manager will call you today")
	poll(t, desk, "the reply is delivered", `current().pop.messages.some(m => m.direction === 'outbound' && m.status === 'delivered')`)
	expectTranslated(t, desk, "the conversation")
	expectTranslated(t, board, "the wallboard with a conversation")
	expectErrorTranslated(t, desk)

	// Wrap-up, then a lunch break.
	err = chromedp.Do(desk, chromedp.Click(`#end`), chromedp.Poll[chromedp.Void](`!document.getElementById('wrapup-clock').hidden`))
	if err != nil {
		t.Fatalf("end the conversation: %v", err)
	}
	expectTranslated(t, desk, "wrap-up")
	err = chromedp.Do(desk,
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('disposition'); s.value = 'follow_up_visit'; s.dispatchEvent(new Event('change')); })()`),
		chromedp.Click(`#wrapup-submit`),
		chromedp.Poll[chromedp.Void](`document.getElementById('wrapup').hidden`),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('break-reason'); s.value = 'lunch'; s.dispatchEvent(new Event('change')); })()`))
	if err != nil {
		t.Fatalf("wrap up and go to lunch: %v", err)
	}
	poll(t, desk, "the agent is on a lunch break", `S.presence.state === 'break' && S.presence.reason === 'lunch'`)
	expectTranslated(t, desk, "a lunch break")

	// A text waits while the agent is at lunch.
	if _, err := sim.Text(ctx, "+8613700000009", "Is anyone there?"); err != nil {
		t.Fatal(err)
	}
	poll(t, board, "the text waits on the wallboard", `!!document.querySelector('#waiting-table tr[data-interaction]')`)
	poll(t, board, "the agent's break is on the wallboard", `!!document.querySelector('#agent-table td.st-break')`)
	expectTranslated(t, board, "the wallboard with a text waiting")

	// A break the supervisor sets is named on both pages.
	err = chromedp.Do(board, chromedp.Evaluate[chromedp.Void](`W.sock.request('force_state', { agent_id: W.board.agents.find(a => a.name === 'Li Na').agent_id, state: 'break', reason: 'supervisor' })`))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, desk, "the desk hears of the supervisor's break", `S.presence.reason === 'supervisor'`)
	poll(t, board, "the wallboard shows it", `W.board.agents.some(a => a.reason === 'supervisor')`)
	expectTranslated(t, desk, "a break set by the supervisor")
	expectTranslated(t, board, "the wallboard with a break set by the supervisor")
}

// TestChatTranslatedInBrowser: an anonymous web chat, offered and accepted,
// with the search for its customer, reads in both languages without codes
// (the visitor's internal chat id among them).
func TestChatTranslatedInBrowser(t *testing.T) {
	c := runChatDesk(t)
	c.say(t, "Hello, my card was swallowed by an ATM.")
	poll(t, c.desk, "the chat is offered", `!!document.querySelector('.offer .accept')`)
	expectTranslated(t, c.desk, "the chat's offer")
	c.acceptChat(t)
	poll(t, c.desk, "the message is in the conversation", `document.getElementById('msgs').textContent.includes('swallowed by an ATM')`)
	err := chromedp.Do(c.desk, chromedp.SendKeys(`#search-q`, "nobody at all"), chromedp.Click(`#pop .compose button`))
	if err != nil {
		t.Fatal(err)
	}
	poll(t, c.desk, "the search finds nobody", `!!document.querySelector('#search-results .empty')`)
	expectTranslated(t, c.desk, "the chat with an unidentified visitor")
}
