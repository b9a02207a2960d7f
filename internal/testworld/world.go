// Package testworld builds the world package tests run in, wired as
// cmd/switchboard wires it: a fresh PostgreSQL database, a Redis prefix,
// the real routing engine with the interactions store and the desk-events
// bus of each server process (a Node), and the Twilio simulator on a real
// HTTP port calling back a public mux the test mounts its handlers on. The
// channel, desk and campaign tests differ only in Options and add their
// own pieces on top: a channel, the desk, the dialer.
//
// It builds no channel adapter: twiliosms's own tests use it, and an
// import of the adapters would make those tests an import cycle. Only
// tests import it.
package testworld

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

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

// Options are what differs between the packages' worlds. The zero value is
// a centre "main" on real time with routing's defaults, the default queues,
// the shared Redis, no process yet and no log.
type Options struct {
	// Centre names the contact centre (the hash tag of its Redis keys);
	// "main" if empty.
	Centre string
	// Now is the clock of every engine and interactions store; nil is the
	// real one.
	Now func() time.Time
	// Routing configures every engine; its Centre and Prefix are the
	// world's.
	Routing routing.Config
	// Queues are the queues in the database; nil seeds the five of the
	// demo bank.
	Queues []Queue
	// RedisURL is a Redis server of the test's own, which it may kill and
	// restart; empty uses the shared one under a fresh prefix.
	RedisURL string
	// Node starts the world's own process at once, its routing events
	// heard from the start (WaitEvent). Without it the test starts its
	// processes with StartNode.
	Node bool
	// Answering says how the simulator's callees answer the bank's calls;
	// nil serves the simulator's API as it is.
	Answering *twiliosim.Answering
	// SimSpeed divides the simulator's waits; 50 if zero.
	SimSpeed float64
	// LogLevel logs every piece to stderr from that level; nil logs
	// nothing, unless $TESTWORLD_LOG is set, which logs everything.
	LogLevel slog.Leveler
}

// ForChannels is the channel tests' world: its own process, a wrap-up
// short enough for one agent to take call after call, and reservations
// that outlast any test's ringing.
func ForChannels() Options {
	return Options{Routing: routing.Config{WrapUp: 200 * time.Millisecond, ReservationTimeout: 10 * time.Second}, Node: true}
}

// Queue is a queue to seed.
type Queue struct{ Name, Title, TitleZh string }

var defaultQueues = []Queue{{"general", "General", "综合"}, {"cards", "Cards", "信用卡"}, {"loans", "Loans", "贷款"},
	{"wealth", "Wealth", "理财"}, {"complaints", "Complaints", "投诉"}}

// World is one test's contact centre.
type World struct {
	T      testing.TB
	Ctx    context.Context // ends with the test, before the database and Redis close
	DBURL  string          // for processes that open pools of their own
	Pool   *pgxpool.Pool
	RDB    *redis.Client
	Prefix string
	Centre string
	Now    func() time.Time
	Log    *slog.Logger
	Sim    *twiliosim.Sim
	SimURL string
	Twilio *twilio.Client
	Mux    *http.ServeMux
	Public string // the channels' public URL, serving Mux
	*Node         // the world's own process, with Options.Node

	routing routing.Config
	mu      sync.Mutex
	seen    []routing.Event
}

// Node is one server process's share of the world.
type Node struct {
	Engine *routing.Engine
	Store  *interactions.Store
	Bus    *channels.Bus
}

// New builds a World; mount handlers on Mux before sending traffic.
func New(t testing.TB, opts Options) *World {
	t.Helper()
	w := &World{T: t, Centre: cmp.Or(opts.Centre, "main"), Now: opts.Now, Mux: http.NewServeMux(), Log: logger(opts.LogLevel)}
	w.RDB, w.Prefix = openRedis(t, opts.RedisURL)
	w.DBURL, w.Pool = openDB(t)
	// Registered after the database and Redis, so it runs before they close.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w.Ctx = ctx
	w.routing = opts.Routing
	w.routing.Centre, w.routing.Prefix = w.Centre, w.Prefix
	if opts.Queues == nil {
		opts.Queues = defaultQueues
	}
	w.seedQueues(opts.Queues)
	if opts.Node {
		w.Node = w.StartNode()
		w.listen()
	}
	w.startTwilio(opts)
	return w
}

// StartNode starts one server process's routing engine on the world, with
// its interactions store and bus. The engine runs until the test ends.
func (w *World) StartNode() *Node {
	w.T.Helper()
	eng, err := routing.New(w.routing, w.RDB, w.Pool, w.Log, w.Now)
	if err != nil {
		w.T.Fatalf("routing: %v", err)
	}
	go eng.Run(w.Ctx)
	return &Node{Engine: eng, Store: interactions.NewStore(w.Pool, w.Now), Bus: w.NewBus()}
}

// NewBus returns a desk-events bus on the world's centre; every test's bus
// is built here.
func (w *World) NewBus() *channels.Bus {
	return channels.NewBus(w.RDB, w.Prefix, w.Centre, w.Log)
}

func openRedis(t testing.TB, rawURL string) (*redis.Client, string) {
	t.Helper()
	if rawURL == "" {
		return testenv.MustRedis(t)
	}
	rdb, err := testenv.OpenRedis(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Close() })
	return rdb, "t" + testenv.Unique() + ":"
}

// openDB creates a fresh, migrated and prepared database and opens a pool
// on it larger than pgdb's default (the benchmarks would measure waiting
// for a connection).
func openDB(t testing.TB) (string, *pgxpool.Pool) {
	t.Helper()
	u := testenv.MustCreateDB(t)
	pool, err := pgdb.Open(context.Background(), u+"&pool_max_conns=24")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	// As cmd/switchboard does before it wires the channels.
	if err := customers.Prepare(context.Background(), pool); err != nil {
		t.Fatal(err)
	}
	return u, pool
}

func logger(level slog.Leveler) *slog.Logger {
	if os.Getenv("TESTWORLD_LOG") != "" {
		level = slog.LevelDebug
	}
	if level == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
}

func (w *World) seedQueues(qs []Queue) {
	w.T.Helper()
	var names, titles, zh []string
	for _, q := range qs {
		names, titles, zh = append(names, q.Name), append(titles, q.Title), append(zh, q.TitleZh)
	}
	w.Exec(`INSERT INTO queues (name, title, title_zh) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
		names, titles, zh)
}

// startTwilio serves Mux as the channels' public URL and the simulator,
// whose bank number calls and texts it.
func (w *World) startTwilio(opts Options) {
	w.T.Helper()
	pub := httptest.NewServer(w.Mux)
	w.T.Cleanup(pub.Close)
	w.Public = pub.URL
	w.Sim = twiliosim.New(twiliosim.Config{AccountSID: AccountSID, AuthToken: AuthToken, Number: BankNumber,
		VoiceURL: w.Public + "/channels/twilio/voice", VoiceStatusURL: w.Public + "/channels/twilio/voice/status",
		SMSURL: w.Public + "/channels/twilio/sms", Speed: cmp.Or(opts.SimSpeed, 50), Log: w.Log})
	api := w.Sim.Handler()
	if opts.Answering != nil {
		api = w.Sim.AnsweringHandler(*opts.Answering)
	}
	sim := httptest.NewServer(api)
	w.T.Cleanup(sim.Close)
	w.SimURL = sim.URL
	var err error
	if w.Twilio, err = twilio.NewClient(sim.URL, AccountSID, AuthToken); err != nil {
		w.T.Fatal(err)
	}
}
