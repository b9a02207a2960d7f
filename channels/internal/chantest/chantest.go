// Package chantest builds the world the channel tests run in: a fresh
// Postgres database, a Redis prefix, the real routing engine, the Twilio
// simulator on a real HTTP port, and Switchboard's channel handlers on
// another, wired as cmd/switchboard wires them.
package chantest

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/channels"
	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/internal/testenv"
	"switchboard/pgdb"
	"switchboard/routing"
)

// Test credentials: letters and digits, as twilio-go insists.
const (
	AccountSID = "AC00000000000000000000000000000001"
	AuthToken  = "simtoken0123456789abcdef"
	BankNumber = "+8657188880000"
)

// Env is one test's world.
type Env struct {
	T      testing.TB
	Ctx    context.Context
	Pool   *pgxpool.Pool
	RDB    *redis.Client
	Prefix string
	Engine *routing.Engine
	Store  *interactions.Store
	Bus    *channels.Bus
	Sim    *twiliosim.Sim
	SimURL string
	Twilio *twilio.Client
	Mux    *http.ServeMux
	Public string // the channels' public URL
	Log    *slog.Logger
	events <-chan routing.Event
	mu     sync.Mutex
	seen   []routing.Event
}

// New builds an Env; mount handlers on Mux before sending traffic.
func New(t testing.TB) *Env {
	t.Helper()
	rdb, prefix := testenv.MustRedis(t)
	return build(t, rdb, prefix)
}

// NewOnRedis is New on the Redis server at rawURL (a test's private one,
// which it may kill and restart).
func NewOnRedis(t testing.TB, rawURL string) *Env {
	t.Helper()
	rdb, err := testenv.OpenRedis(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return build(t, rdb, "t"+testenv.Unique()+":")
}

func build(t testing.TB, rdb *redis.Client, prefix string) *Env {
	t.Helper()
	e := &Env{T: t, Pool: openPool(t), Mux: http.NewServeMux(), Log: logger(), RDB: rdb, Prefix: prefix}
	// Registered after the database and Redis, so it runs before they close.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	e.Ctx = ctx
	e.seedQueues()
	eng, err := routing.New(routing.Config{Centre: "main", Prefix: e.Prefix, WrapUp: 200 * time.Millisecond,
		ReservationTimeout: 10 * time.Second}, e.RDB, e.Pool, e.Log, nil)
	if err != nil {
		t.Fatalf("routing: %v", err)
	}
	e.Engine = eng
	go eng.Run(ctx)
	if e.events, err = eng.Subscribe(ctx); err != nil {
		t.Fatalf("routing subscribe: %v", err)
	}
	go e.collect()
	e.Store = interactions.NewStore(e.Pool, nil)
	e.Bus = channels.NewBus(e.RDB, e.Prefix, "main", e.Log)
	pub := httptest.NewServer(e.Mux)
	t.Cleanup(pub.Close)
	e.Public = pub.URL
	e.Sim = twiliosim.New(twiliosim.Config{AccountSID: AccountSID, AuthToken: AuthToken, Number: BankNumber,
		VoiceURL: e.Public + "/channels/twilio/voice", VoiceStatusURL: e.Public + "/channels/twilio/voice/status",
		SMSURL: e.Public + "/channels/twilio/sms", Speed: 50, Log: e.Log})
	sim := httptest.NewServer(e.Sim.Handler())
	t.Cleanup(sim.Close)
	e.SimURL = sim.URL
	if e.Twilio, err = twilio.NewClient(sim.URL, AccountSID, AuthToken); err != nil {
		t.Fatal(err)
	}
	return e
}

// openPool opens a fresh, migrated and prepared database with a pool as
// large as a server's (pgxpool's default of max(4, CPUs) would make the
// benchmarks measure waiting for a connection).
func openPool(t testing.TB) *pgxpool.Pool {
	u := testenv.MustCreateDB(t) + "&pool_max_conns=24"
	pool, err := pgdb.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	// As cmd/switchboard does before it wires the channels.
	if err := customers.Prepare(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return pool
}

func logger() *slog.Logger {
	if os.Getenv("CHANTEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

func (e *Env) seedQueues() {
	_, err := e.Pool.Exec(e.Ctx, `INSERT INTO queues (name, title, title_zh) VALUES
		('general', 'General', '综合'), ('cards', 'Cards', '信用卡'), ('loans', 'Loans', '贷款'),
		('wealth', 'Wealth', '理财'), ('complaints', 'Complaints', '投诉')`)
	if err != nil {
		e.T.Fatalf("seed queues: %v", err)
	}
}

func (e *Env) collect() {
	for ev := range e.events {
		e.mu.Lock()
		e.seen = append(e.seen, ev)
		e.mu.Unlock()
	}
}

// AddAgent creates an agent who may serve every tier and logs them in.
func (e *Env) AddAgent(username string) int64 {
	e.T.Helper()
	var id int64
	err := e.Pool.QueryRow(e.Ctx, `INSERT INTO agents (username, name, password_hash, role, tiers)
		VALUES ($1, $1, 'x', 'agent', '{private,vip,standard,mass}') RETURNING id`, username).Scan(&id)
	if err != nil {
		e.T.Fatalf("add agent: %v", err)
	}
	if err := e.Engine.Login(e.Ctx, id); err != nil {
		e.T.Fatalf("login: %v", err)
	}
	return id
}

// AddCustomer creates a customer with a phone number and tier.
func (e *Env) AddCustomer(name, phone, tier string) int64 {
	e.T.Helper()
	var id int64
	err := e.Pool.QueryRow(e.Ctx, `INSERT INTO customers (name, phone, value_tier) VALUES ($1, $2, $3) RETURNING id`,
		name, phone, tier).Scan(&id)
	if err != nil {
		e.T.Fatalf("add customer: %v", err)
	}
	return id
}

// WaitEvent waits for a routing event of kind about the interaction (0 for
// any) and returns it.
func (e *Env) WaitEvent(kind string, interactionID int64) routing.Event {
	e.T.Helper()
	var found routing.Event
	e.Eventually("routing event "+kind, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, ev := range e.seen {
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
func (e *Env) Eventually(what string, cond func() bool) {
	e.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.T.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Count runs a count query.
func (e *Env) Count(sql string, args ...any) int {
	e.T.Helper()
	var n int
	if err := e.Pool.QueryRow(e.Ctx, sql, args...).Scan(&n); err != nil {
		e.T.Fatalf("count %q: %v", sql, err)
	}
	return n
}

// State returns an interaction's state.
func (e *Env) State(id int64) string {
	e.T.Helper()
	l, err := interactions.Load(e.Ctx, e.Pool, id)
	if err != nil {
		e.T.Fatalf("state of %d: %v", id, err)
	}
	return string(l.State)
}

// Exec runs a statement on the test's database, failing the test on error.
func (e *Env) Exec(sql string, args ...any) {
	e.T.Helper()
	if _, err := e.Pool.Exec(e.Ctx, sql, args...); err != nil {
		e.T.Fatalf("%s: %v", sql, err)
	}
}

// QueuedCall stores an inbound call waiting in queue, as the IVR leaves it,
// without handing it to routing, and returns its interaction.
func (e *Env) QueuedCall(callSID, from, queue string) int64 {
	e.T.Helper()
	in := switchboard.Interaction{Channel: switchboard.ChannelVoice, Direction: switchboard.Inbound, State: switchboard.StateQueued,
		Queue: queue, Tier: switchboard.TierMass, From: from, To: BankNumber, ProviderSID: callSID}
	err := e.Store.InTx(e.Ctx, func(tx pgx.Tx, now time.Time) error {
		return interactions.Create(e.Ctx, tx, now, &in, "", map[string]any{"call_sid": callSID})
	})
	if err != nil {
		e.T.Fatalf("queued call: %v", err)
	}
	return in.ID
}
