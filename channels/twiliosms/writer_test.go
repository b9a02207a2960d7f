package twiliosms

import (
	"testing"

	"switchboard/channels/twiliosim"
	"switchboard/internal/testworld"
)

// A text that fails its group's transaction fails only itself: the group
// is written again text by text.
func TestGroupWithBadTextStoresTheOthers(t *testing.T) {
	env := testworld.New(t, testworld.ForChannels())
	c, err := New(env.Ctx, Config{PublicURL: env.Public, AuthToken: testworld.AuthToken, From: testworld.BankNumber},
		env.Store, env.Twilio, env.Engine, env.Bus, env.Log)
	if err != nil {
		t.Fatal(err)
	}
	text := func(sid, from, body string) *pendingText {
		p := &pendingText{in: inbound{MessageSID: sid, From: from, To: testworld.BankNumber, Body: body}, done: make(chan stored, 1)}
		p.kw, p.word = parseKeyword(body)
		return p
	}
	stolen := twiliosim.NewSID("SM")
	first := text(stolen, "+8613900130001", "first")
	c.writeTexts(env.Ctx, []*pendingText{first})
	if s := <-first.done; s.err != nil || s.rec.Dup {
		t.Fatalf("first text: %+v", s)
	}

	// The same MessageSid from another number breaks the group's
	// transaction (a unique violation), and then is taken as a duplicate.
	group := []*pendingText{
		text(twiliosim.NewSID("SM"), "+8613900130002", "before"),
		text(stolen, "+8613900130003", "same sid, other number"),
		text(twiliosim.NewSID("SM"), "+8613900130004", "after"),
	}
	c.writeTexts(env.Ctx, group)
	tests := map[string]struct {
		p   *pendingText
		dup bool
	}{
		"before":   {group[0], false},
		"same sid": {group[1], true},
		"after":    {group[2], false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := <-tc.p.done
			if s.err != nil || s.rec.Dup != tc.dup || (!tc.dup && s.rec.Message.ID == 0) {
				t.Fatalf("stored %+v, want dup = %v", s, tc.dup)
			}
		})
	}
	if n := env.Count(`SELECT count(*) FROM messages`); n != 3 {
		t.Fatalf("%d messages, want 3", n)
	}
	if n := env.Count(`SELECT count(*) FROM interactions WHERE from_addr = '+8613900130003'`); n != 0 {
		t.Fatalf("the refused text opened %d threads", n)
	}
}
