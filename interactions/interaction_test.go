package interactions_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/interactions"
	"switchboard/routing"
)

// TestCreateAndLoad: an interaction is stored with its first event, read
// back by id and by provider id, and a second call with the same CallSid
// is refused.
func TestCreateAndLoad(t *testing.T) {
	e := newEnv(t)
	cust := e.customer("Li Wei", "+8613800000001", switchboard.TierVIP)
	in := e.create(switchboard.Interaction{Channel: switchboard.ChannelVoice, Direction: switchboard.Inbound,
		State: switchboard.StateQueued, CustomerID: cust, Tier: switchboard.TierVIP, From: "+8613800000001",
		To: "+8657188880000", ProviderSID: "CA01"})
	if in.ID == 0 || !in.CreatedAt.Equal(e.now) {
		t.Fatalf("created %+v, want an id and created_at %v", in, e.now)
	}
	l := mustLoad(t, e, in.ID)
	if l.Channel != switchboard.ChannelVoice || l.CustomerID != cust || l.Tier != switchboard.TierVIP ||
		l.ProviderSID != "CA01" || l.IVRPath == nil || len(l.IVRPath) != 0 {
		t.Errorf("loaded %+v", l)
	}
	bySID, err := interactions.BySID(e.ctx, e.pool, "CA01")
	if err != nil || bySID.ID != in.ID {
		t.Errorf("BySID = %d, %v; want %d", bySID.ID, err, in.ID)
	}
	if got := e.events(in.ID); !slices.Equal(got, []interactions.Kind{interactions.KindCreated}) {
		t.Errorf("events %v, want created", got)
	}
	again := switchboard.Interaction{Channel: switchboard.ChannelVoice, Direction: switchboard.Inbound,
		State: switchboard.StateQueued, ProviderSID: "CA01"}
	err = e.store.InTx(e.ctx, func(tx pgx.Tx, now time.Time) error { return interactions.Create(e.ctx, tx, now, &again, "", nil) })
	if !errors.Is(err, switchboard.ErrConflict) {
		t.Errorf("a second interaction of CA01: %v, want ErrConflict", err)
	}
	for name, err := range map[string]error{
		"Load":  func() error { _, err := interactions.Load(e.ctx, e.pool, in.ID+100); return err }(),
		"BySID": func() error { _, err := interactions.BySID(e.ctx, e.pool, "CA02"); return err }(),
		"AgentOf": func() error {
			_, err := interactions.AgentOf(e.ctx, e.pool, in.ID+100)
			return err
		}(),
	} {
		if !errors.Is(err, switchboard.ErrNotFound) {
			t.Errorf("%s of an unknown interaction: %v, want ErrNotFound", name, err)
		}
	}
}

// TestCreateOver: an interaction recorded already over keeps its end, and
// an empty tier is mass.
func TestCreateOver(t *testing.T) {
	e := newEnv(t)
	in := e.create(switchboard.Interaction{Channel: switchboard.ChannelSMS, Direction: switchboard.Outbound,
		State: switchboard.StateDone, From: "+8613800000001", To: "+8610955880", EndedAt: e.now, EndReason: "campaign_sms"})
	if n := e.count(`SELECT count(*) FROM interactions WHERE id = $1 AND ended_at = $2 AND end_reason = 'campaign_sms'
		AND tier = 'mass' AND provider_sid IS NULL AND customer_id IS NULL`, in.ID, e.now); n != 1 {
		t.Error("the campaign text's interaction is not stored as over, mass, with no customer or provider id")
	}
}

// TestEndBeforeRouting ends only an interaction still queued, once.
func TestEndBeforeRouting(t *testing.T) {
	e := newEnv(t)
	queued, connected := e.sms("+8613800000001"), e.sms("+8613800000002")
	e.exec(`UPDATE interactions SET state = 'connected' WHERE id = $1`, connected)
	for range 2 {
		for _, id := range []int64{queued, connected} {
			e.inTx(func(tx pgx.Tx, now time.Time) error {
				return interactions.EndBeforeRouting(e.ctx, tx, now, id, "hangup")
			})
		}
	}
	if l := mustLoad(t, e, queued); l.State != switchboard.StateAbandoned {
		t.Errorf("the queued interaction is %s, want abandoned", l.State)
	}
	if l := mustLoad(t, e, connected); l.State != switchboard.StateConnected {
		t.Errorf("the connected interaction is %s, want it left alone", l.State)
	}
	if n := e.count(`SELECT count(*) FROM interaction_events WHERE kind = 'abandoned' AND data->>'reason' = 'hangup'`); n != 1 {
		t.Errorf("%d abandoned events, want 1", n)
	}
}

// TestIVRAndCallback: the menu's answers set the language, then the queue,
// each with its step on the path and an event; a callback is taken only
// from a call waiting in a queue.
func TestIVRAndCallback(t *testing.T) {
	e := newEnv(t)
	id := e.create(switchboard.Interaction{Channel: switchboard.ChannelVoice, Direction: switchboard.Inbound,
		State: switchboard.StateQueued, From: "+8613800000001", To: "+8657188880000", ProviderSID: "CA01"}).ID
	callback := func() bool {
		var ok bool
		e.inTx(func(tx pgx.Tx, now time.Time) error {
			var err error
			ok, err = interactions.RequestCallback(e.ctx, tx, now, id, "+8613800000001")
			return err
		})
		return ok
	}
	if callback() {
		t.Error("a callback was taken from a caller still in the IVR")
	}
	for _, a := range []interactions.IVRAnswer{{Digits: "2", Language: "en"}, {Digits: "1", Queue: "cards"}} {
		e.inTx(func(tx pgx.Tx, now time.Time) error { return interactions.RecordIVR(e.ctx, tx, now, id, a) })
	}
	l := mustLoad(t, e, id)
	if l.Language != "en" || l.Queue != "cards" || !slices.Equal(l.IVRPath, []string{"lang:en", "intent:cards"}) {
		t.Errorf("after the menu: language %q, queue %q, path %v", l.Language, l.Queue, l.IVRPath)
	}
	if n := e.count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind = 'ivr'
		AND ((data->>'step' = 'language' AND data->>'language' = 'en') OR (data->>'step' = 'intent' AND data->>'queue' = 'cards'))`, id); n != 2 {
		t.Errorf("%d IVR events, want 2", n)
	}
	if !callback() {
		t.Fatal("the waiting caller's callback was refused")
	}
	if l := mustLoad(t, e, id); l.CallbackTo != "+8613800000001" {
		t.Errorf("callback to %q", l.CallbackTo)
	}
	if got := e.events(id); got[len(got)-1] != interactions.KindCallbackRequested {
		t.Errorf("events %v end without the callback request", got)
	}
}

// TestDispositions: a wrap-up's disposition is written once; a campaign's
// replaces it.
func TestDispositions(t *testing.T) {
	e := newEnv(t)
	id := e.sms("+8613800000001")
	for i, code := range []string{"enquiry", "complaint"} {
		var first bool
		e.inTx(func(tx pgx.Tx, now time.Time) error {
			var err error
			first, err = interactions.SetFirstDisposition(e.ctx, tx, id, code)
			return err
		})
		if first != (i == 0) {
			t.Errorf("SetFirstDisposition(%s) = %v", code, first)
		}
	}
	e.inTx(func(tx pgx.Tx, now time.Time) error { return interactions.SetDisposition(e.ctx, tx, id, "interested") })
	if n := e.count(`SELECT count(*) FROM interactions WHERE id = $1 AND disposition = 'interested'`, id); n != 1 {
		t.Error("SetDisposition did not replace the disposition")
	}
}

// TestLinkCustomer links an unidentified contact once, with an event.
func TestLinkCustomer(t *testing.T) {
	e := newEnv(t)
	id, agent := e.sms("+8613800000001"), e.agent("ann")
	cust := e.customer("Li Wei", "+8613800000009", switchboard.TierPrivate)
	link := func() error {
		return e.store.InTx(e.ctx, func(tx pgx.Tx, now time.Time) error {
			return interactions.LinkCustomer(e.ctx, tx, now, id, agent, cust, switchboard.TierPrivate)
		})
	}
	if err := link(); err != nil {
		t.Fatal(err)
	}
	if err := link(); !errors.Is(err, switchboard.ErrConflict) {
		t.Errorf("linking again: %v, want ErrConflict", err)
	}
	if l := mustLoad(t, e, id); l.CustomerID != cust {
		t.Errorf("linked to %d, want %d", l.CustomerID, cust)
	}
	if n := e.count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind = 'customer_linked'
		AND agent_id = $2 AND data->>'customer_tier' = 'private'`, id, agent); n != 1 {
		t.Errorf("%d link events, want 1", n)
	}
}

// TestCheckAgent: the agent the row names, or the last to accept, may
// write to the customer; anyone else is forbidden.
func TestCheckAgent(t *testing.T) {
	e := newEnv(t)
	ann, bob, cat := e.agent("ann"), e.agent("bob"), e.agent("cat")
	id := e.sms("+8613800000001")
	e.exec(`UPDATE interactions SET state = 'wrapup', agent_id = $2 WHERE id = $1`, id, ann)
	e.inTx(func(tx pgx.Tx, now time.Time) error {
		return interactions.AddEvent(e.ctx, tx, now, id, interactions.KindAccepted, bob, nil)
	})
	l := mustLoad(t, e, id)
	for name, c := range map[string]struct {
		agent int64
		ok    bool
	}{"the row's agent": {ann, true}, "the last to accept": {bob, true}, "another agent": {cat, false}, "nobody": {0, false}} {
		err := interactions.CheckAgent(e.ctx, e.pool, l, c.agent)
		if c.ok != (err == nil) || (!c.ok && !errors.Is(err, switchboard.ErrForbidden)) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestHeldByAndLanguages reads an agent's live interactions, and the
// languages of several at once.
func TestHeldByAndLanguages(t *testing.T) {
	e := newEnv(t)
	ann := e.agent("ann")
	offered, done, queued := e.sms("+8613800000001"), e.sms("+8613800000002"), e.sms("+8613800000003")
	e.exec(`UPDATE interactions SET state = 'offered', agent_id = $2, language = 'en' WHERE id = $1`, offered, ann)
	e.exec(`UPDATE interactions SET state = 'done', agent_id = $2 WHERE id = $1`, done, ann)
	held, err := interactions.HeldBy(e.ctx, e.pool, ann)
	if err != nil || len(held) != 1 || held[0].ID != offered {
		t.Errorf("HeldBy = %v, %v; want only %d", held, err, offered)
	}
	langs, err := interactions.Languages(e.ctx, e.pool, []int64{offered, queued, queued + 100})
	if err != nil || len(langs) != 2 || langs[offered] != "en" || langs[queued] != "" {
		t.Errorf("Languages = %v, %v", langs, err)
	}
}

// TestKindsAreRoutings holds the kinds routing writes to routing's names.
func TestKindsAreRoutings(t *testing.T) {
	for kind, event := range map[interactions.Kind]string{
		interactions.KindQueued: routing.EventQueued, interactions.KindOfferWithdrawn: routing.EventOfferWithdrawn,
		interactions.KindAccepted: routing.EventAccepted, interactions.KindWrapUp: routing.EventWrapUp,
		interactions.KindDone: routing.EventDone, interactions.KindAbandoned: routing.EventAbandoned,
		interactions.KindTransferred: routing.EventTransferred, interactions.KindOverflowed: routing.EventOverflowed,
	} {
		if string(kind) != event {
			t.Errorf("kind %q, routing writes %q", kind, event)
		}
	}
}
