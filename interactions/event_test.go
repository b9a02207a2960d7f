package interactions_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/interactions"
)

// TestEventReads: the latest event of a kind, routing's wrap-up end, and a
// conference callback seen before.
func TestEventReads(t *testing.T) {
	e := newEnv(t)
	id := e.sms("+8613800000001")
	if _, err := interactions.LastEventData(e.ctx, e.pool, id, interactions.KindBridging); !errors.Is(err, switchboard.ErrNotFound) {
		t.Errorf("LastEventData with no bridging: %v, want ErrNotFound", err)
	}
	if end, err := interactions.WrapUpEnd(e.ctx, e.pool, id); err != nil || !end.IsZero() {
		t.Errorf("WrapUpEnd with no wrap-up = %v, %v; want zero", end, err)
	}
	end := e.now.Add(time.Minute)
	e.inTx(func(tx pgx.Tx, now time.Time) error {
		for _, ev := range []struct {
			kind interactions.Kind
			data map[string]any
		}{
			{interactions.KindBridging, map[string]any{"customer_call_sid": "CA01"}},
			{interactions.KindBridging, map[string]any{"customer_call_sid": "CA02"}},
			{interactions.KindWrapUp, map[string]any{"x": end.UnixMilli()}},
			{interactions.KindConferenceJoined, map[string]any{"conference_sid": "CF01", "seq": 3}},
		} {
			if err := interactions.AddEvent(e.ctx, tx, now, id, ev.kind, 0, ev.data); err != nil {
				return err
			}
		}
		return nil
	})
	raw, err := interactions.LastEventData(e.ctx, e.pool, id, interactions.KindBridging)
	var legs struct {
		Customer string `json:"customer_call_sid"`
	}
	if err != nil || json.Unmarshal(raw, &legs) != nil || legs.Customer != "CA02" {
		t.Errorf("LastEventData = %s, %v; want the second bridging", raw, err)
	}
	if got, err := interactions.WrapUpEnd(e.ctx, e.pool, id); err != nil || !got.Equal(end) {
		t.Errorf("WrapUpEnd = %v, %v; want %v", got, err, end)
	}
	for seq, want := range map[int]bool{3: true, 4: false} {
		seen, err := interactions.ConferenceEventSeen(e.ctx, e.pool, id, interactions.KindConferenceJoined, "CF01", seq)
		if err != nil || seen != want {
			t.Errorf("ConferenceEventSeen(seq %d) = %v, %v; want %v", seq, seen, err, want)
		}
	}
}

// TestHandovers reads transfers with their notes and agents' names, and
// overflows, oldest first.
func TestHandovers(t *testing.T) {
	e := newEnv(t)
	id, ann, bob := e.sms("+8613800000001"), e.agent("ann"), e.agent("bob")
	e.inTx(func(tx pgx.Tx, now time.Time) error {
		err := interactions.AddEvent(e.ctx, tx, now, id, interactions.KindTransferRequested, ann,
			map[string]any{"to_queue": "", "to_agent": bob, "mode": "warm", "note": "wants a mortgage"})
		if err != nil {
			return err
		}
		return interactions.AddEvent(e.ctx, tx, now, id, interactions.KindOverflowed, 0, map[string]any{"queue": "wealth"})
	})
	hs, err := interactions.Handovers(e.ctx, e.pool, id)
	if err != nil {
		t.Fatal(err)
	}
	want := []interactions.Handover{
		{At: e.now, Kind: "transfer", By: "ann", Mode: "warm", Note: "wants a mortgage", ToAgent: "bob"},
		{At: e.now, Kind: "overflow", ToQueue: "wealth"},
	}
	if len(hs) != len(want) {
		t.Fatalf("handovers %+v, want %+v", hs, want)
	}
	for i := range want {
		if !hs[i].At.Equal(want[i].At) {
			t.Errorf("handover %d at %v, want %v", i, hs[i].At, want[i].At)
		}
		hs[i].At = want[i].At
		if hs[i] != want[i] {
			t.Errorf("handover %d = %+v, want %+v", i, hs[i], want[i])
		}
	}
}
