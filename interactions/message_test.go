package interactions_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/interactions"
)

func (e *env) insert(m interactions.Message) (interactions.Message, bool) {
	e.t.Helper()
	var dup bool
	e.inTx(func(tx pgx.Tx, now time.Time) error {
		var err error
		dup, err = interactions.InsertMessage(e.ctx, tx, now, &m)
		return err
	})
	return m, dup
}

// TestInsertMessageOnce: a retried webhook (same MessageSid) and a resent
// chat frame (same client id in the interaction) find the first copy; the
// same client id in another interaction is a new message.
func TestInsertMessageOnce(t *testing.T) {
	e := newEnv(t)
	a, b := e.sms("+8613800000001"), e.sms("+8613800000002")
	cases := []struct {
		name string
		m    interactions.Message
		dup  bool
	}{
		{"a text", interactions.Message{InteractionID: a, Direction: switchboard.Inbound, Body: "hi", ProviderSID: "SM01", Status: "received"}, false},
		{"its retry", interactions.Message{InteractionID: a, Direction: switchboard.Inbound, Body: "hi", ProviderSID: "SM01", Status: "received"}, true},
		{"a chat line", interactions.Message{InteractionID: a, Direction: switchboard.Inbound, Body: "hello", ClientMsgID: "c1", Status: "received"}, false},
		{"its resend", interactions.Message{InteractionID: a, Direction: switchboard.Inbound, Body: "hello", ClientMsgID: "c1", Status: "received"}, true},
		{"the same id elsewhere", interactions.Message{InteractionID: b, Direction: switchboard.Inbound, Body: "hello", ClientMsgID: "c1", Status: "received"}, false},
	}
	var prev int64 // the message of the case before, which a copy finds
	for _, c := range cases {
		m, dup := e.insert(c.m)
		if dup != c.dup || m.ID == 0 || m.Body != c.m.Body || !m.At.Equal(e.now) {
			t.Errorf("%s: stored %+v, dup %v; want dup %v", c.name, m, dup, c.dup)
		}
		if c.dup && m.ID != prev {
			t.Errorf("%s: message %d, the first copy is %d", c.name, m.ID, prev)
		}
		prev = m.ID
	}
	msgs, err := e.store.Messages(e.ctx, a, 0)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("Messages = %v, %v; want 2", msgs, err)
	}
	if later, err := e.store.Messages(e.ctx, a, msgs[0].ID); err != nil || len(later) != 1 || later[0].ID != msgs[1].ID {
		t.Errorf("Messages after the first = %v, %v", later, err)
	}
}

// TestStoreReply: an agent's reply is checked and stored once.
func TestStoreReply(t *testing.T) {
	e := newEnv(t)
	ann, bob := e.agent("ann"), e.agent("bob")
	live, ended := e.sms("+8613800000001"), e.sms("+8613800000002")
	e.exec(`UPDATE interactions SET state = 'connected', agent_id = $2 WHERE id = $1`, live, ann)
	e.exec(`UPDATE interactions SET state = 'done', agent_id = $2 WHERE id = $1`, ended, ann)
	refuse := func(pgx.Tx, interactions.Live) error {
		return switchboard.Errorf(switchboard.ErrForbidden, "opted out")
	}
	reply := func(r interactions.Reply) interactions.Reply {
		base := interactions.Reply{Channel: switchboard.ChannelSMS, AgentID: ann, InteractionID: live, Body: "hello",
			ClientMsgID: "d1", Status: "sending", MaxRunes: 10}
		if r.Body != "" {
			base.Body = r.Body
		}
		if r.Channel != "" {
			base.Channel = r.Channel
		}
		if r.AgentID != 0 {
			base.AgentID = r.AgentID
		}
		if r.InteractionID != 0 {
			base.InteractionID = r.InteractionID
		}
		return base
	}
	for name, c := range map[string]struct {
		r     interactions.Reply
		check func(pgx.Tx, interactions.Live) error
		want  error
	}{
		"blank":           {reply(interactions.Reply{Body: "   "}), nil, switchboard.ErrInvalid},
		"too long":        {reply(interactions.Reply{Body: "eleven runes"}), nil, switchboard.ErrInvalid},
		"wrong channel":   {reply(interactions.Reply{Channel: switchboard.ChannelChat}), nil, switchboard.ErrInvalid},
		"unknown":         {reply(interactions.Reply{InteractionID: ended + 100}), nil, switchboard.ErrNotFound},
		"another's":       {reply(interactions.Reply{AgentID: bob}), nil, switchboard.ErrForbidden},
		"refused":         {reply(interactions.Reply{}), refuse, switchboard.ErrForbidden},
		"ended":           {reply(interactions.Reply{InteractionID: ended}), nil, switchboard.ErrConflict},
		"blank is refuse": {reply(interactions.Reply{Body: "\t"}), refuse, switchboard.ErrInvalid},
	} {
		if _, _, _, err := e.store.StoreReply(e.ctx, c.r, c.check); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if n := e.count(`SELECT count(*) FROM messages`); n != 0 {
		t.Fatalf("%d messages stored by refused replies", n)
	}
	m, l, dup, err := e.store.StoreReply(e.ctx, reply(interactions.Reply{Body: "  hello  "}), nil)
	if err != nil || dup || m.Body != "hello" || m.Direction != switchboard.Outbound || m.AgentID != ann || m.Status != "sending" || l.ID != live {
		t.Fatalf("StoreReply = %+v, %d, %v, %v", m, l.ID, dup, err)
	}
	again, _, dup, err := e.store.StoreReply(e.ctx, reply(interactions.Reply{}), nil)
	if err != nil || !dup || again.ID != m.ID {
		t.Errorf("the resend = %+v, dup %v, %v; want message %d again", again, dup, err, m.ID)
	}
}

// TestMessageStatus: the send's answer does not undo a status callback
// that overtook it; statuses are found by id or by provider id.
func TestMessageStatus(t *testing.T) {
	e := newEnv(t)
	ann := e.agent("ann")
	id := e.sms("+8613800000001")
	m, _ := e.insert(interactions.Message{InteractionID: id, Direction: switchboard.Outbound, AgentID: ann, Body: "hi", Status: "sending"})
	status := func(mid int64) string {
		var s string
		if err := e.pool.QueryRow(e.ctx, `SELECT status FROM messages WHERE id = $1`, mid).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	e.inTx(func(tx pgx.Tx, now time.Time) error {
		got, err := interactions.LockForStatus(e.ctx, tx, m.ID, "SM01")
		if err != nil {
			return err
		}
		if got.InteractionID != id || got.AgentID != ann || got.Status != "sending" {
			t.Errorf("LockForStatus = %+v", got)
		}
		return interactions.SetStatus(e.ctx, tx, now, m.ID, interactions.Status{Status: "delivered", ProviderSID: "SM01", ErrorCode: 0})
	})
	if err := interactions.RecordSent(e.ctx, e.pool, e.now, m.ID, "SM01", "queued"); err != nil {
		t.Fatal(err)
	}
	if s := status(m.ID); s != "delivered" {
		t.Errorf("after the send's late answer the status is %q, want delivered", s)
	}
	e.inTx(func(tx pgx.Tx, now time.Time) error {
		if got, err := interactions.LockForStatus(e.ctx, tx, 0, "SM01"); err != nil || got.ID != m.ID {
			t.Errorf("LockForStatus by SID = %+v, %v", got, err)
		}
		if _, err := interactions.LockForStatus(e.ctx, tx, 0, "SM99"); !errors.Is(err, switchboard.ErrNotFound) {
			t.Errorf("LockForStatus of an unknown SID: %v, want ErrNotFound", err)
		}
		return interactions.SetStatusBySID(e.ctx, tx, now, "SM01", "undelivered")
	})
	if s := status(m.ID); s != "undelivered" {
		t.Errorf("after SetStatusBySID the status is %q", s)
	}
	other, _ := e.insert(interactions.Message{InteractionID: id, Direction: switchboard.Outbound, Body: "again", Status: "sending"})
	if err := interactions.RecordSent(e.ctx, e.pool, e.now, other.ID, "SM02", "queued"); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM messages WHERE id = $1 AND status = 'queued' AND provider_sid = 'SM02'`, other.ID); n != 1 {
		t.Error("RecordSent did not store the provider's answer")
	}
}
