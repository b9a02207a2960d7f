package testworld

import (
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/interactions"
	"switchboard/routing"
)

// listen keeps every event of the centre from now on, for WaitEvent.
func (w *World) listen() {
	w.T.Helper()
	events, err := w.Engine.Subscribe(w.Ctx)
	if err != nil {
		w.T.Fatalf("routing subscribe: %v", err)
	}
	go func() {
		for ev := range events {
			w.mu.Lock()
			w.seen = append(w.seen, ev)
			w.mu.Unlock()
		}
	}()
}

// AddAgent creates an agent who may serve every tier and logs them in on
// the world's own process.
func (w *World) AddAgent(username string) int64 {
	w.T.Helper()
	var id int64
	err := w.Pool.QueryRow(w.Ctx, `INSERT INTO agents (username, name, password_hash, role, tiers)
		VALUES ($1, $1, 'x', 'agent', '{private,vip,standard,mass}') RETURNING id`, username).Scan(&id)
	if err != nil {
		w.T.Fatalf("add agent: %v", err)
	}
	if err := w.Engine.Login(w.Ctx, id); err != nil {
		w.T.Fatalf("login: %v", err)
	}
	return id
}

// AddCustomer creates a customer with a phone number and tier.
func (w *World) AddCustomer(name, phone, tier string) int64 {
	w.T.Helper()
	var id int64
	err := w.Pool.QueryRow(w.Ctx, `INSERT INTO customers (name, phone, value_tier) VALUES ($1, $2, $3) RETURNING id`,
		name, phone, tier).Scan(&id)
	if err != nil {
		w.T.Fatalf("add customer: %v", err)
	}
	return id
}

// WaitEvent waits for a routing event of kind about the interaction (0 for
// any) and returns it. It needs Options.Node.
func (w *World) WaitEvent(kind string, interactionID int64) routing.Event {
	w.T.Helper()
	var found routing.Event
	w.Eventually("routing event "+kind, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, ev := range w.seen {
			if ev.Kind == kind && (interactionID == 0 || ev.InteractionID == interactionID) {
				found = ev
				return true
			}
		}
		return false
	})
	return found
}

// Eventually polls cond for up to 10 s.
func (w *World) Eventually(what string, cond func() bool) {
	w.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			w.T.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Count runs a count query.
func (w *World) Count(sql string, args ...any) int {
	w.T.Helper()
	var n int
	if err := w.Pool.QueryRow(w.Ctx, sql, args...).Scan(&n); err != nil {
		w.T.Fatalf("count %q: %v", sql, err)
	}
	return n
}

// State returns an interaction's state.
func (w *World) State(id int64) string {
	w.T.Helper()
	l, err := interactions.Load(w.Ctx, w.Pool, id)
	if err != nil {
		w.T.Fatalf("state of %d: %v", id, err)
	}
	return string(l.State)
}

// Exec runs a statement on the test's database, failing the test on error.
func (w *World) Exec(sql string, args ...any) {
	w.T.Helper()
	if _, err := w.Pool.Exec(w.Ctx, sql, args...); err != nil {
		w.T.Fatalf("%s: %v", sql, err)
	}
}

// QueuedCall stores an inbound call waiting in queue, as the IVR leaves it,
// without handing it to routing, and returns its interaction.
func (w *World) QueuedCall(callSID, from, queue string) int64 {
	w.T.Helper()
	in := switchboard.Interaction{Channel: switchboard.ChannelVoice, Direction: switchboard.Inbound, State: switchboard.StateQueued,
		Queue: queue, Tier: switchboard.TierMass, From: from, To: BankNumber, ProviderSID: callSID}
	err := w.Store.InTx(w.Ctx, func(tx pgx.Tx, now time.Time) error {
		return interactions.Create(w.Ctx, tx, now, &in, "", map[string]any{"call_sid": callSID})
	})
	if err != nil {
		w.T.Fatalf("queued call: %v", err)
	}
	return in.ID
}
