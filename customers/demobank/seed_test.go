package demobank_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/customers"
	"switchboard/customers/demobank"
	"switchboard/internal/testenv"
)

var testNow = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

var seedOpts = demobank.Options{Customers: 2000, Agents: 30, Interactions: 4000, Seed: 7, Now: testNow}

func mustSeed(tb testing.TB, opts demobank.Options) (*pgxpool.Pool, demobank.Result) {
	tb.Helper()
	pool := testenv.MustOpenDB(tb)
	if err := customers.Prepare(context.Background(), pool); err != nil {
		tb.Fatal(err)
	}
	res, err := demobank.Seed(context.Background(), pool, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Logf("seeded %+v", res)
	return pool, res
}

func TestSeedProportions(t *testing.T) {
	t.Parallel()
	pool, res := mustSeed(t, seedOpts)
	ctx := context.Background()
	if res.Customers != 2000 || res.Interactions != 4000 || res.Events != 2*4000 || res.Accounts < 2000 || res.Notes == 0 || res.Complaints == 0 {
		t.Errorf("result: %+v", res)
	}
	svc := customers.NewService(pool, customers.Config{Now: func() time.Time { return testNow }})
	if n, err := svc.Recompute(ctx, ""); err != nil || n != 0 {
		t.Errorf("recompute right after the seed changed %d customers (%v), want 0", n, err)
	}
	c, err := svc.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		got  int64
		want float64
	}{
		"private": {c.ValueTier.Private, 0.025}, "vip": {c.ValueTier.VIP, 0.175},
		"standard": {c.ValueTier.Standard, 0.20}, "mass": {c.ValueTier.Mass, 0.60},
		"dormant": {c.ActivityLayer.Dormant, 0.20},
	}
	for name, w := range want {
		if share := float64(w.got) / 2000; math.Abs(share-w.want) > 0.005 {
			t.Errorf("%s: %.2f%% of customers, want %.1f%% ± 0.5", name, 100*share, 100*w.want)
		}
	}
	var top, negative, book float64
	must(t, pool.QueryRow(ctx, `WITH ranked AS (
			SELECT profit_12m, ntile(5) OVER (ORDER BY profit_12m DESC) AS fifth FROM customers)
		SELECT sum(profit_12m) FILTER (WHERE fifth = 1) / sum(profit_12m), avg((profit_12m < 0)::int) FROM ranked`).Scan(&top, &negative))
	must(t, pool.QueryRow(ctx, `SELECT avg(n) FROM (SELECT count(*) AS n FROM customers WHERE rm_id IS NOT NULL GROUP BY rm_id) b`).Scan(&book))
	if top < 0.75 || top > 0.85 || negative < 0.2 || negative > 0.3 || book < 150 || book > 250 {
		t.Errorf("top fifth brings %.1f%% of profit, %.1f%% loss-making, RM books of %.0f", 100*top, 100*negative, book)
	}
	var badAUM, dupPhones, badLast int
	must(t, pool.QueryRow(ctx, `SELECT count(*) FROM customers c WHERE aum <> (SELECT coalesce(sum(balance), 0)
		FROM accounts a WHERE a.customer_id = c.id AND a.product IN ('deposit', 'time_deposit', 'wealth', 'fund', 'insurance') AND status <> 'closed')`).Scan(&badAUM))
	must(t, pool.QueryRow(ctx, `SELECT count(*) - count(DISTINCT phone) FROM customers`).Scan(&dupPhones))
	must(t, pool.QueryRow(ctx, `SELECT count(*) FROM interactions i JOIN interaction_events e ON e.interaction_id = i.id
		WHERE e.kind = i.state AND e.at <> i.ended_at`).Scan(&badLast))
	if badAUM != 0 || dupPhones != 0 || badLast != 0 {
		t.Errorf("%d customers whose accounts do not add up to their AUM, %d shared phones, %d end events off their interaction", badAUM, dupPhones, badLast)
	}
}

func TestSeedIsDeterministicAndDemoUsersWork(t *testing.T) {
	t.Parallel()
	small := demobank.Options{Customers: 500, Agents: 8, Interactions: 700, Seed: 99, Now: testNow}
	digest := func(pool *pgxpool.Pool) string {
		var d string
		must(t, pool.QueryRow(context.Background(), `SELECT md5(string_agg(c::text, '|' ORDER BY id)) ||
			(SELECT md5(string_agg(i::text, '|' ORDER BY id)) FROM interactions i) ||
			(SELECT md5(string_agg(concat_ws(',', customer_id, number, balance), '|' ORDER BY number)) FROM accounts)
			FROM customers c`).Scan(&d))
		return d
	}
	a, res := mustSeed(t, small)
	b, _ := mustSeed(t, small)
	if digest(a) != digest(b) {
		t.Error("the same seed gave two different banks")
	}
	small.Seed = 100
	c, _ := mustSeed(t, small)
	if digest(a) == digest(c) {
		t.Error("different seeds gave the same bank")
	}
	roles := map[switchboard.Role]bool{}
	for _, u := range res.Users {
		roles[u.Role] = true
		var hash string
		must(t, a.QueryRow(context.Background(), `SELECT password_hash FROM agents WHERE username = $1 AND role = $2`,
			u.Username, string(u.Role)).Scan(&hash))
		if !strings.HasPrefix(hash, "$argon2id$") || u.Password != demobank.Password(u.Role) {
			t.Errorf("demo user %+v: hash %q", u, hash)
		}
	}
	if len(roles) != len(switchboard.Roles) {
		t.Errorf("demo users cover roles %v, want all %d", roles, len(switchboard.Roles))
	}
}

func TestSeedRefusals(t *testing.T) {
	t.Parallel()
	pool, _ := mustSeed(t, demobank.Options{Customers: 100, Agents: 3, Seed: 1, Now: testNow})
	ctx := context.Background()
	_, err := demobank.Seed(ctx, pool, demobank.Options{Customers: 100, Agents: 3, Seed: 2, Now: testNow})
	if !errors.Is(err, switchboard.ErrConflict) {
		t.Errorf("seeding a seeded database: %v, want ErrConflict", err)
	}
	var n int
	must(t, pool.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&n))
	if n != 100 {
		t.Errorf("the refused seed changed the database: %d customers", n)
	}
	bad := map[string]demobank.Options{
		"no customers":     {Customers: 0, Agents: 3},
		"too many":         {Customers: demobank.MaxCustomers + 1, Agents: 3},
		"no agents":        {Customers: 10, Agents: 0},
		"negative history": {Customers: 10, Agents: 3, Interactions: -1},
	}
	empty := testenv.MustOpenDB(t)
	for name, opts := range bad {
		t.Run(name, func(t *testing.T) {
			if _, err := demobank.Seed(ctx, empty, opts); !errors.Is(err, switchboard.ErrInvalid) {
				t.Errorf("%+v: %v, want ErrInvalid", opts, err)
			}
		})
	}
	must(t, empty.QueryRow(ctx, `SELECT count(*) FROM agents`).Scan(&n))
	if n != 0 {
		t.Errorf("refused seeds created %d agents", n)
	}
}

func TestSeededViewByPhone(t *testing.T) {
	t.Parallel()
	pool, _ := mustSeed(t, demobank.Options{Customers: 300, Agents: 6, Interactions: 3000, Seed: 3, Now: testNow})
	ctx := context.Background()
	var phone string
	var viewer switchboard.Agent
	must(t, pool.QueryRow(ctx, `SELECT phone FROM customers WHERE value_tier = 'private' ORDER BY id LIMIT 1`).Scan(&phone))
	must(t, pool.QueryRow(ctx, `SELECT id, role FROM agents WHERE username = 'agent0001'`).Scan(&viewer.ID, &viewer.Role))
	svc := customers.NewService(pool, customers.Config{})
	v, err := svc.LookupByPhone(ctx, &viewer, phone, "")
	if err != nil {
		t.Fatal(err)
	}
	if v.RM == nil || len(v.Interactions) == 0 || len(v.Accounts) == 0 || !v.Masked || !strings.HasPrefix(v.Customer.NationalID, "*") {
		t.Errorf("view of a seeded private customer: rm %v, %d interactions, %d accounts, masked %v %q",
			v.RM, len(v.Interactions), len(v.Accounts), v.Masked, v.Customer.NationalID)
	}
}

func TestSeedFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	pool := testenv.MustOpenDB(t)
	// A seed far too large for its deadline fails part-way, whichever step
	// it is in then.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := demobank.Seed(ctx, pool, demobank.Options{Customers: demobank.MaxCustomers, Agents: 50, Seed: 1})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("seed with a 2 s deadline: %v", err)
	}
	var rows int
	must(t, pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM customers) + (SELECT count(*) FROM agents)
		+ (SELECT count(*) FROM teams) + (SELECT count(*) FROM accounts)`).Scan(&rows))
	if rows != 0 {
		t.Errorf("a failed seed left %d rows behind", rows)
	}
	if _, err := demobank.Seed(context.Background(), pool, demobank.Options{Customers: 50, Agents: 2, Seed: 1}); err != nil {
		t.Errorf("seeding after a failed seed: %v", err)
	}
}
