package twiliosms_test

import (
	"sync"
	"testing"
)

// TestResentReplyTextsOnce: the desk resends a reply with the same client
// message id (its reply was lost, or it reconnected), several times and
// concurrently; the customer gets one text and one row is stored.
func TestResentReplyTextsOnce(t *testing.T) {
	env, ch := setup(t)
	env.AddCustomer("Li Wei", customerPhone, "vip")
	agent := env.AddAgent("amy")
	id := acceptedText(env, agent, "is my transfer through?")

	first, err := ch.ReplyOnce(env.Ctx, agent, id, "Yes, it arrived.", "m-1")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ids := make([]int64, 4)
	for i := range ids {
		wg.Go(func() {
			m, err := ch.ReplyOnce(env.Ctx, agent, id, "Yes, it arrived.", "m-1")
			if err != nil {
				t.Error(err)
			}
			ids[i] = m.ID
		})
	}
	wg.Wait()
	for _, got := range ids {
		if got != first.ID {
			t.Fatalf("resend returned message %d, want the stored %d", got, first.ID)
		}
	}
	if n := len(env.Sim.Messages()); n != 1 {
		t.Fatalf("Twilio was asked for %d texts, want 1", n)
	}
	if n := env.Count(`SELECT count(*) FROM messages WHERE interaction_id = $1 AND direction = 'outbound'`, id); n != 1 {
		t.Fatalf("%d outbound rows, want 1", n)
	}

	// A new id is a new message.
	if _, err := ch.ReplyOnce(env.Ctx, agent, id, "Anything else?", "m-2"); err != nil {
		t.Fatal(err)
	}
	if n := len(env.Sim.Messages()); n != 2 {
		t.Fatalf("Twilio was asked for %d texts, want 2", n)
	}
}
