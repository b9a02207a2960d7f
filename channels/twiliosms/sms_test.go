package twiliosms_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
	"switchboard/channels/twiliosms"
	"switchboard/internal/testworld"
	"switchboard/routing"
)

const customerPhone = "+8613800138000"

func setup(t testing.TB) (*testworld.World, *twiliosms.Channel) {
	t.Helper()
	env := testworld.New(t, testworld.ForChannels())
	ch, err := twiliosms.New(env.Ctx, twiliosms.Config{PublicURL: env.Public, AuthToken: testworld.AuthToken, From: testworld.BankNumber},
		env.Store, env.Twilio, env.Engine, env.Bus, env.Log)
	if err != nil {
		t.Fatal(err)
	}
	env.Mux.Handle("/channels/twilio/sms", ch.Handler())
	env.Mux.Handle("/channels/twilio/sms/", ch.Handler())
	return env, ch
}

func interactionOf(env *testworld.World, sid string) int64 {
	env.T.Helper()
	var id int64
	if err := env.Pool.QueryRow(env.Ctx, `SELECT interaction_id FROM messages WHERE provider_sid = $1`, sid).Scan(&id); err != nil {
		env.T.Fatalf("message %s: %v", sid, err)
	}
	return id
}

// acceptedText has the customer text body and agent accept the offer of the
// thread it opens, and returns the thread's interaction.
func acceptedText(env *testworld.World, agent int64, body string) int64 {
	env.T.Helper()
	sid, err := env.Sim.Text(env.Ctx, customerPhone, body)
	if err != nil {
		env.T.Fatal(err)
	}
	id := interactionOf(env, sid)
	env.WaitEvent(routing.EventOffer, id)
	if err := env.Engine.Accept(env.Ctx, agent, id); err != nil {
		env.T.Fatal(err)
	}
	return id
}

// A signed text is stored, routed, answered by an agent, delivered by the
// simulator, and its delivered status stored.
func TestTextRoutedRepliedDelivered(t *testing.T) {
	env, ch := setup(t)
	cust := env.AddCustomer("Li Wei", customerPhone, "vip")
	agent := env.AddAgent("amy")
	desk, err := env.Bus.Subscribe(env.Ctx)
	if err != nil {
		t.Fatal(err)
	}

	sid, err := env.Sim.Text(env.Ctx, customerPhone, "我的卡丢了 I lost my card")
	if err != nil {
		t.Fatal(err)
	}
	id := interactionOf(env, sid)
	var custID int64
	var tier, channel string
	if err := env.Pool.QueryRow(env.Ctx, `SELECT customer_id, tier, channel FROM interactions WHERE id = $1`, id).Scan(&custID, &tier, &channel); err != nil {
		t.Fatal(err)
	}
	if custID != cust || tier != "vip" || channel != "sms" {
		t.Fatalf("interaction = customer %d tier %s channel %s, want %d vip sms", custID, tier, channel, cust)
	}
	select {
	case ev := <-desk:
		if ev.Kind != "message" || ev.InteractionID != id || ev.Message.Body != "我的卡丢了 I lost my card" {
			t.Fatalf("desk event = %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no desk event for the customer's text")
	}

	offer := env.WaitEvent(routing.EventOffer, id)
	if offer.AgentID != agent {
		t.Fatalf("offered to %d, want %d", offer.AgentID, agent)
	}
	if err := env.Engine.Accept(env.Ctx, agent, id); err != nil {
		t.Fatal(err)
	}
	// A second text within the window joins the same thread.
	sid2, err := env.Sim.Text(env.Ctx, customerPhone, "card ending 1234")
	if err != nil {
		t.Fatal(err)
	}
	if got := interactionOf(env, sid2); got != id {
		t.Fatalf("second text went to interaction %d, want the open thread %d", got, id)
	}

	m, err := ch.Reply(env.Ctx, agent, id, "已为您冻结 The card is blocked.")
	if err != nil {
		t.Fatal(err)
	}
	sent := env.Sim.Messages()
	if len(sent) != 1 || sent[0].To != customerPhone || sent[0].From != testworld.BankNumber || sent[0].Body != "已为您冻结 The card is blocked." {
		t.Fatalf("simulator received %+v", sent)
	}
	if !strings.Contains(sent[0].StatusCallback, "/channels/twilio/sms/status") {
		t.Fatalf("no status callback on the send: %q", sent[0].StatusCallback)
	}
	env.Eventually("delivered status stored", func() bool {
		return env.Count(`SELECT count(*) FROM messages WHERE id = $1 AND status = 'delivered' AND provider_sid = $2`, m.ID, sent[0].SID) == 1
	})
	if inbox := env.Sim.Inbox(customerPhone); len(inbox) != 1 {
		t.Fatalf("customer's phone got %d texts, want 1", len(inbox))
	}

	// Another agent may not write to this customer.
	other := env.AddAgent("bob")
	if _, err := ch.Reply(env.Ctx, other, id, "hello"); !errors.Is(err, switchboard.ErrForbidden) {
		t.Fatalf("reply by another agent: %v, want ErrForbidden", err)
	}
}

func TestDuplicateWebhookChangesNothing(t *testing.T) {
	env, _ := setup(t)
	env.AddCustomer("Wang Fang", customerPhone, "standard")
	sid := twiliosim.NewSID("SM")
	for range 3 {
		if err := env.Sim.TextWithSID(env.Ctx, sid, customerPhone, "hello"); err != nil {
			t.Fatal(err)
		}
	}
	if n := env.Count(`SELECT count(*) FROM messages`); n != 1 {
		t.Fatalf("%d messages after a retried webhook, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM interactions`); n != 1 {
		t.Fatalf("%d interactions after a retried webhook, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM interaction_events WHERE kind = 'queued'`); n != 1 {
		t.Fatalf("%d queued events after a retried webhook, want 1", n)
	}
}

func TestUnsignedOrForgedWebhookRefused(t *testing.T) {
	env, _ := setup(t)
	form := url.Values{"MessageSid": {twiliosim.NewSID("SM")}, "AccountSid": {testworld.AccountSID},
		"From": {customerPhone}, "To": {testworld.BankNumber}, "Body": {"hi"}, "NumMedia": {"0"}}
	target := env.Public + "/channels/twilio/sms"
	tests := map[string]struct {
		sig  string
		body string
		want int
	}{
		"no signature":          {"", form.Encode(), http.StatusForbidden},
		"wrong token":           {twiliosim.Sign("othertoken123", target, form), form.Encode(), http.StatusForbidden},
		"signed for other host": {twiliosim.Sign(testworld.AuthToken, "https://evil.example/channels/twilio/sms", form), form.Encode(), http.StatusForbidden},
		"body changed":          {twiliosim.Sign(testworld.AuthToken, target, form), strings.Replace(form.Encode(), "hi", "ho", 1), http.StatusForbidden},
		// Twilio signs the URL exactly as configured, port and all.
		"signed without the port": {twiliosim.Sign(testworld.AuthToken, withoutPort(target), form), form.Encode(), http.StatusForbidden},
		"too large":               {"x", "Body=" + strings.Repeat("a", twilio.MaxWebhookBody+1), http.StatusRequestEntityTooLarge},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.sig != "" {
				req.Header.Set("X-Twilio-Signature", tc.sig)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	for _, table := range []string{"messages", "interactions", "interaction_events", "consent_changes"} {
		if n := env.Count(`SELECT count(*) FROM ` + table); n != 0 {
			t.Fatalf("%d rows in %s after refused webhooks", n, table)
		}
	}
}

func TestMalformedWebhookRejected(t *testing.T) {
	env, _ := setup(t)
	target := env.Public + "/channels/twilio/sms"
	base := func() url.Values {
		return url.Values{"MessageSid": {twiliosim.NewSID("SM")}, "From": {customerPhone}, "To": {testworld.BankNumber}, "Body": {"hi"}}
	}
	tests := map[string]func(url.Values){
		"bad MessageSid":    func(f url.Values) { f.Set("MessageSid", "SM'; DROP TABLE messages") },
		"From not a number": func(f url.Values) { f.Set("From", "<script>") },
		"From too short":    func(f url.Values) { f.Set("From", "+86139123") },
		"empty message":     func(f url.Values) { f.Set("Body", "") },
		"body too long":     func(f url.Values) { f.Set("Body", strings.Repeat("长", 1601)) },
		"NumMedia too big":  func(f url.Values) { f.Set("NumMedia", "11") },
		"media not http":    func(f url.Values) { f.Set("NumMedia", "1"); f.Set("MediaUrl0", "javascript:alert(1)") },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			f := base()
			mutate(f)
			req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(f.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Twilio-Signature", twiliosim.Sign(testworld.AuthToken, target, f))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			why, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			// What is answered is what is logged: never the sender's number.
			if strings.Contains(string(why), "139123") || strings.Contains(string(why), "script") {
				t.Fatalf("the refusal repeats the sender's input: %q", why)
			}
		})
	}
	if n := env.Count(`SELECT count(*) FROM interactions`); n != 0 {
		t.Fatalf("%d interactions after malformed webhooks", n)
	}
}

func TestStopThenSendRefused(t *testing.T) {
	tests := map[string]struct {
		word      string
		bankReply bool // the bank confirms; Twilio confirms STOP itself
	}{
		"STOP":  {"STOP", false},
		"stop.": {"stop.", false},
		"退订":    {"退订", true},
		"TD":    {"td", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env, ch := setup(t)
			cust := env.AddCustomer("Zhao Min", customerPhone, "mass")
			agent := env.AddAgent("amy")
			id := acceptedText(env, agent, "what is my balance?")
			if _, err := env.Sim.Text(env.Ctx, customerPhone, tc.word); err != nil {
				t.Fatal(err)
			}
			var optedOut bool
			env.Pool.QueryRow(env.Ctx, `SELECT opt_out_sms FROM customers WHERE id = $1`, cust).Scan(&optedOut)
			if !optedOut {
				t.Fatal("customers.opt_out_sms not set")
			}
			if n := env.Count(`SELECT count(*) FROM consent_changes WHERE customer_id = $1 AND phone = $2 AND kind = 'sms' AND opted_out AND source LIKE 'sms:%' AND at IS NOT NULL`, cust, customerPhone); n != 1 {
				t.Fatalf("%d consent changes recorded, want 1", n)
			}
			before := len(env.Sim.Requests())
			_, err := ch.Reply(env.Ctx, agent, id, "Your balance is ...")
			if !errors.Is(err, switchboard.ErrForbidden) || !strings.Contains(switchboard.ErrorMessage(err), "opted out") {
				t.Fatalf("reply after %s: %v, want a clear ErrForbidden", tc.word, err)
			}
			if _, err := ch.Send(env.Ctx, customerPhone, "Promotion!"); !errors.Is(err, switchboard.ErrForbidden) {
				t.Fatalf("send after %s: %v, want ErrForbidden", tc.word, err)
			}
			if after := len(env.Sim.Requests()); after != before {
				t.Fatalf("Twilio was asked %d times after the opt-out", after-before)
			}
			if got := len(env.Sim.Inbox(customerPhone)) == 1; got != tc.bankReply {
				t.Fatalf("bank confirmation sent = %v, want %v", got, tc.bankReply)
			}
			// START opts back in.
			if _, err := env.Sim.Text(env.Ctx, customerPhone, "START"); err != nil {
				t.Fatal(err)
			}
			if _, err := ch.Reply(env.Ctx, agent, id, "Welcome back"); err != nil {
				t.Fatalf("reply after START: %v", err)
			}
		})
	}
}

func TestUnknownNumberAndMedia(t *testing.T) {
	env, _ := setup(t)
	media := []string{"https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "https://example.com/receipt.png"}
	// Without the plus: normalised to E.164.
	sid, err := env.Sim.Text(env.Ctx, "8613900139000", "", media...)
	if err != nil {
		t.Fatal(err)
	}
	var cust *int64
	var from string
	var urls []string
	err = env.Pool.QueryRow(env.Ctx, `SELECT i.customer_id, i.from_addr, m.media_urls FROM messages m JOIN interactions i ON i.id = m.interaction_id
		WHERE m.provider_sid = $1`, sid).Scan(&cust, &from, &urls)
	if err != nil {
		t.Fatal(err)
	}
	if cust != nil || from != "+8613900139000" {
		t.Fatalf("customer %v from %q, want an unidentified interaction from +8613900139000", cust, from)
	}
	if strings.Join(urls, " ") != strings.Join(media, " ") {
		t.Fatalf("media %v, want %v", urls, media)
	}
}

func TestHelpAnswered(t *testing.T) {
	env, _ := setup(t)
	if _, err := env.Sim.Text(env.Ctx, customerPhone, "help"); err != nil {
		t.Fatal(err)
	}
	inbox := env.Sim.Inbox(customerPhone)
	if len(inbox) != 1 || !strings.Contains(inbox[0].Body, "STOP") {
		t.Fatalf("HELP answered with %+v", inbox)
	}
	if n := env.Count(`SELECT count(*) FROM interactions`); n != 0 {
		t.Fatalf("HELP opened %d interactions", n)
	}
}

// TestTextRoutedByLanguage: the text of a customer whose profile says
// English goes to the agent who speaks English, though the other agent has
// been free longer.
func TestTextRoutedByLanguage(t *testing.T) {
	env, _ := setup(t)
	cust := env.AddCustomer("Oliver Smith", customerPhone, "standard")
	env.Exec(`UPDATE customers SET language = 'en' WHERE id = $1`, cust)
	mandarin := env.AddAgent("mei")
	env.Exec(`UPDATE agents SET languages = '{zh}' WHERE id = $1`, mandarin)
	time.Sleep(10 * time.Millisecond)
	english := env.AddAgent("oliver")
	env.Exec(`UPDATE agents SET languages = '{zh,en}' WHERE id = $1`, english)
	for _, id := range []int64{mandarin, english} {
		if err := env.Engine.Login(env.Ctx, id); err != nil { // again, with the languages
			t.Fatal(err)
		}
	}
	sid, err := env.Sim.Text(env.Ctx, customerPhone, "Hello, I need help with my card")
	if err != nil {
		t.Fatal(err)
	}
	if offer := env.WaitEvent(routing.EventOffer, interactionOf(env, sid)); offer.AgentID != english {
		t.Fatalf("offered to %d, want the English speaker %d (not %d)", offer.AgentID, english, mandarin)
	}
}

func withoutPort(raw string) string {
	u, _ := url.Parse(raw)
	u.Host = u.Hostname()
	return u.String()
}

// TestTextFromSharedNumber: the sender of a text is the customer who owns
// the number by customers' rule, as a caller or a lookup would find them:
// the one whose main phone it is, though an older customer has it as
// alternative phone and no main phone at all.
func TestTextFromSharedNumber(t *testing.T) {
	env, _ := setup(t)
	var older int64
	if err := env.Pool.QueryRow(env.Ctx, `INSERT INTO customers (name, phone_alt, value_tier)
		VALUES ('Older, alternative only', $1, 'private') RETURNING id`, customerPhone).Scan(&older); err != nil {
		t.Fatal(err)
	}
	owner := env.AddCustomer("Main phone", customerPhone, "vip")
	sid, err := env.Sim.Text(env.Ctx, customerPhone, "hello")
	if err != nil {
		t.Fatal(err)
	}
	var cust int64
	var tier string
	if err := env.Pool.QueryRow(env.Ctx, `SELECT i.customer_id, i.tier FROM messages m JOIN interactions i ON i.id = m.interaction_id
		WHERE m.provider_sid = $1`, sid).Scan(&cust, &tier); err != nil {
		t.Fatal(err)
	}
	if cust != owner || tier != "vip" {
		t.Fatalf("thread of customer %d (%s), want %d (vip), not %d", cust, tier, owner, older)
	}
}
