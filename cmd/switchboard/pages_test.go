package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/agents"
)

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestPrintedURLsServe: the wallboard address `make run` prints is the
// one the desk serves, and the site has a favicon.
func TestPrintedURLsServe(t *testing.T) {
	_, base, _ := runDeskMain(t)
	script, err := os.ReadFile("../../deploy/local/run.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*wallboard\s+\$SWITCHBOARD_PUBLIC_URL(/\S*)`).FindSubmatch(script)
	if m == nil {
		t.Fatal("run.sh prints no wallboard URL")
	}
	if string(m[1]) != agentdesk.WallboardPath {
		t.Fatalf("run.sh prints %s, the desk serves the wallboard at %s", m[1], agentdesk.WallboardPath)
	}
	resp, body := get(t, base+string(m[1]))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "wallboard.js") {
		t.Fatalf("GET %s = %d, want the wallboard page", m[1], resp.StatusCode)
	}
	resp, body = get(t, base+"/favicon.ico")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(body, "\x00\x00\x01\x00") {
		t.Fatalf("GET /favicon.ico = %d %q, want an icon", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestWallboardLinkForSupervisors: a supervisor's desk links to the
// wallboard, and the link opens it; an agent's desk has no such link.
func TestWallboardLinkForSupervisors(t *testing.T) {
	m, base, _ := runDeskMain(t)
	for _, n := range []agents.NewAgent{
		{Username: "agent1", Name: "Li Na", Password: "agentpass1", Role: switchboard.RoleAgent},
		{Username: "super1", Name: "Zhou Min", Password: "superpass1", Role: switchboard.RoleSupervisor},
	} {
		if _, err := m.Agents.Create(context.Background(), n); err != nil {
			t.Fatal(err)
		}
	}
	agent, super := browser(t), browser(t)
	signIn(t, agent, base+"/", "agent1", "agentpass1")
	if hidden, _ := chromedp.Run(agent, chromedp.Evaluate[bool](`document.getElementById('wallboard-link').hidden`)); !hidden {
		t.Fatal("an agent's desk links to the wallboard")
	}
	signIn(t, super, base+"/", "super1", "superpass1")
	err := chromedp.Do(super, chromedp.WaitVisible(`#wallboard-link`), chromedp.Click(`#wallboard-link`), chromedp.WaitVisible(`#t-available`))
	if err != nil {
		t.Fatalf("the supervisor follows the wallboard link: %v", err)
	}
}

// TestWallboardFieldsFitInBrowser: the wallboard's move fields, beside a
// waiting text, stay inside their card.
func TestWallboardFieldsFitInBrowser(t *testing.T) {
	m, base, sim := runDeskMain(t)
	ctx := context.Background()
	if _, err := m.Agents.Create(ctx, agents.NewAgent{Username: "super1", Name: "Zhou Min", Password: "superpass1", Role: switchboard.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.Exec(ctx, `INSERT INTO queues (name, title, title_zh) VALUES ('general', 'General', '综合') ON CONFLICT DO NOTHING`); err != nil {
		t.Fatal(err)
	}
	board := browser(t)
	signIn(t, board, base+agentdesk.WallboardPath, "super1", "superpass1")
	if _, err := sim.Text(ctx, "+8613700000003", "Anyone there?"); err != nil {
		t.Fatal(err)
	}
	poll(t, board, "the text waits on the wallboard", `document.querySelectorAll('#waiting select').length > 0`)
	if got, _ := chromedp.Run(board, chromedp.Evaluate[string](overflowing)); got != "" {
		t.Fatalf("fields stick out of their cards: %s", got)
	}
	unlabelled := `[...document.querySelectorAll('#waiting select, #waiting input')].filter(e => !e.ariaLabel && !e.labels.length).length`
	if n, _ := chromedp.Run(board, chromedp.Evaluate[int](unlabelled)); n != 0 {
		t.Fatalf("%d move fields have no label", n)
	}
}

// TestSignInFormOnBothPagesInBrowser: the desk and the wallboard show the
// one sign-in form, labelled and worded alike with its first field
// focused; a wrong password is refused on either page in the page's
// words, and the right one signs in on both.
func TestSignInFormOnBothPagesInBrowser(t *testing.T) {
	m, base, _ := runDeskMain(t)
	if _, err := m.Agents.Create(context.Background(), agents.NewAgent{Username: "super1", Name: "Zhou Min", Password: "superpass1", Role: switchboard.RoleSupervisor}); err != nil {
		t.Fatal(err)
	}
	const shown = `(() => {
		const f = document.getElementById('login');
		const field = n => { const i = f.elements[n]; return [i.type, i.autocomplete, i.required, [...i.labels].map(l => l.textContent).join()].join(' '); };
		return [f.querySelector('h1').textContent, field('username'), field('password'),
			f.querySelector('button[type=submit]').textContent, document.activeElement === f.elements.username].join(' | ');
	})()`
	const want = "Sign in | text username true Username | password current-password true Password | Sign in | true"
	var forms []string
	for _, page := range []string{"/", agentdesk.WallboardPath} {
		b := browser(t)
		err := chromedp.Do(b, chromedp.Navigate(base+page), chromedp.WaitVisible(`#login`), chromedp.Evaluate[chromedp.Void](`setLang('en')`))
		if err != nil {
			t.Fatalf("%s shows the sign-in form: %v", page, err)
		}
		got, err := chromedp.Run(b, chromedp.Evaluate[string](shown))
		if err != nil || got != want {
			t.Fatalf("the sign-in form of %s reads %q (%v), want %q", page, got, err, want)
		}
		form, err := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector('section.login').innerHTML`))
		if err != nil {
			t.Fatal(err)
		}
		forms = append(forms, form)
		err = chromedp.Do(b, chromedp.SendKeys(`#login input[name=username]`, "super1"), chromedp.SendKeys(`#login input[name=password]`, "not the password"),
			chromedp.Click(`#login button[type=submit]`))
		if err != nil {
			t.Fatal(err)
		}
		poll(t, b, "a wrong password is refused on "+page, `document.getElementById('login-error').textContent === 'Sign-in failed: wrong username or password'`)
		signIn(t, b, base+page, "super1", "superpass1")
	}
	if forms[0] != forms[1] {
		t.Fatalf("the sign-in forms differ:\ndesk:      %s\nwallboard: %s", forms[0], forms[1])
	}
}
