package campaigns

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/channels/twiliosim"
	"switchboard/channels/twiliovoice"
	"switchboard/interactions"
	"switchboard/internal/testworld"
	"switchboard/routing"
)

// clock is a virtual clock the tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// The simulator's account and the bank's number are the world's.
const (
	simAccount = testworld.AccountSID
	simToken   = testworld.AuthToken
	bankNumber = testworld.BankNumber
)

// rig is one process's worth of outbound: a store, a dialer and its
// webhook server (behind the real signature check), all over the same
// Twilio simulator.
type rig struct {
	pool   *pgxpool.Pool
	store  *Store
	dialer *Dialer
	hooks  *httptest.Server
	routed atomic.Int64
	mu     sync.Mutex
	tasks  []routing.Task // what was handed to routing
}

type world struct {
	t     testing.TB
	tw    *testworld.World // on the virtual clock; no routing until centre starts it
	clock *clock
	sim   *twiliosim.Sim
}

// newWorld starts a database and a Twilio simulator whose callees answer
// per a, with time in the simulator sped up 1000 times.
func newWorld(t testing.TB, start time.Time, a twiliosim.Answering) *world {
	t.Helper()
	w := &world{t: t, clock: newClock(start)}
	w.tw = testworld.New(t, testworld.Options{Now: w.clock.Now, Answering: &a, SimSpeed: 1000})
	w.sim = w.tw.Sim
	return w
}

// rig starts one process's dialer. Answered calls are taken at once by an
// agent (Connected) unless busyAgents is set, when routing is told and no
// agent comes.
func (w *world) rig(node string, cfg DialerConfig) *rig {
	w.t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, w.tw.DBURL)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(pool.Close)
	tw, err := twilio.NewClient(w.tw.SimURL, simAccount, simToken)
	if err != nil {
		w.t.Fatal(err)
	}
	r := &rig{pool: pool, store: NewStore(pool, w.clock.Now)}
	cfg.Node, cfg.CallerID = node, bankNumber
	log := w.tw.Log
	r.hooks = httptest.NewUnstartedServer(nil)
	r.hooks.Start()
	w.t.Cleanup(r.hooks.Close)
	cfg.PublicURL = r.hooks.URL
	r.dialer = NewDialer(r.store, tw, twiliovoice.NewOutbound(cfg.PublicURL, tw), cfg, log)
	r.hooks.Config.Handler = twilio.RequireSignature(simToken, r.hooks.URL, log, r.dialer.Handler())
	// Routing's part, played here: the answered call goes to an agent at
	// once, whose softphone joins the customer's conference.
	r.dialer.Route = func(ctx context.Context, q interactions.Queued) error {
		task := q.Task
		r.routed.Add(1)
		r.mu.Lock()
		r.tasks = append(r.tasks, task)
		r.mu.Unlock()
		go func() {
			p := &api.CreateParticipantParams{}
			p.SetFrom(bankNumber).SetTo("client:agent")
			if _, err := tw.API(context.Background()).CreateParticipant(fmt.Sprintf("interaction-%d", task.InteractionID), p); err != nil {
				w.t.Errorf("agent leg: %v", err)
			}
		}()
		return r.dialer.Connected(ctx, task.InteractionID, 0)
	}
	r.dialer.Unroute = func(context.Context, int64, string) error { return nil }
	return r
}

func mustExec(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	t.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func mustID(t testing.TB, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	var id int64
	if err := pool.QueryRow(context.Background(), sql, args...).Scan(&id); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return id
}

// addAgent adds an agent of role, available in routing's presence.
func addAgent(t testing.TB, pool *pgxpool.Pool, name string, role switchboard.Role) *switchboard.Agent {
	id := mustID(t, pool, `INSERT INTO agents (username, name, password_hash, role) VALUES ($1, $1, 'x', $2) RETURNING id`, name, role)
	mustExec(t, pool, `INSERT INTO agent_presence (agent_id, state, since) VALUES ($1, 'available', now())`, id)
	return &switchboard.Agent{ID: id, Username: name, Name: name, Role: role, Active: true}
}

// cust describes a test customer.
type cust struct {
	name, phone, zone, tier, layer string
	rm                             int64
	birth                          string
	products                       []string
}

func addCustomer(t testing.TB, pool *pgxpool.Pool, c cust) int64 {
	if c.zone == "" {
		c.zone = "Asia/Shanghai"
	}
	if c.tier == "" {
		c.tier = "standard"
	}
	if c.layer == "" {
		c.layer = "active"
	}
	if c.products == nil {
		c.products = []string{}
	}
	var birth, phone any
	if c.birth != "" {
		birth = c.birth
	}
	if c.phone != "" {
		phone = c.phone
	}
	return mustID(t, pool, `INSERT INTO customers (name, phone, time_zone, value_tier, activity_layer, rm_id, birth_date, products)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, c.name, phone, c.zone, c.tier, c.layer, nilIfZero(c.rm), birth, c.products)
}

func phoneN(i int) string { return fmt.Sprintf("+86139%08d", i) }

// settle waits (in real time) until no attempt is live: every call placed
// has ended and its status callback has been handled.
func settle(t testing.TB, pool *pgxpool.Pool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var live int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM outreach_attempts WHERE live`).Scan(&live); err != nil {
			t.Fatal(err)
		}
		if live == 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	rows, _ := pool.Query(context.Background(), `SELECT id, phone, result, coalesce(provider_sid, '') FROM outreach_attempts WHERE live`)
	for rows.Next() {
		var id int64
		var phone, result, sid string
		rows.Scan(&id, &phone, &result, &sid)
		t.Logf("live: attempt %d %s %s %s", id, phone, result, sid)
	}
	rows.Close()
	t.Fatal("calls still live after 10 s")
}

func errorsIs(err, target error) bool { return errors.Is(err, target) }
