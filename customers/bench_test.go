package customers_test

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/customers"
	"switchboard/customers/demobank"
	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

// The benchmarks share one seeded database of SWITCHBOARD_BENCH_CUSTOMERS
// customers (20,000 unless set) and SWITCHBOARD_BENCH_INTERACTIONS past
// interactions (one per customer unless set); make bench sets a million and
// ten million. BenchmarkSeed creates it, or the first benchmark that needs
// it; TestMain drops it. BenchmarkSeed measures the demo bank
// (customers/demobank) but stays here: the bank it builds, minutes of work
// at full size, is the one the view and tiering benchmarks read.

func TestMain(m *testing.M) {
	code := m.Run()
	bench.drop()
	os.Exit(code)
}

var bench benchDB

type benchDB struct {
	sync.Mutex
	url, name string
	pool      *pgxpool.Pool
}

func (b *benchDB) drop() {
	b.Lock()
	defer b.Unlock()
	switch {
	case b.pool != nil && b.name == "":
		b.pool.Close()
	case b.pool != nil:
		dropDB(b.name, b.pool)
	}
	b.pool = nil
}

func benchOptions(tb testing.TB) demobank.Options {
	n := envInt(tb, "SWITCHBOARD_BENCH_CUSTOMERS", 20_000)
	var log *slog.Logger
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return demobank.Options{Customers: n, Agents: 200, Seed: 1, Log: log,
		Interactions: envInt(tb, "SWITCHBOARD_BENCH_INTERACTIONS", demobank.DefaultInteractionsPerCustomer*n)}
}

func envInt(tb testing.TB, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		tb.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// createDB makes a fresh, migrated database outside any one benchmark's
// lifetime.
func createDB(tb testing.TB) (name, dbURL string, pool *pgxpool.Pool) {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, testenv.DatabaseURL())
	must(tb, err)
	defer admin.Close(ctx)
	name = "sbbench_" + testenv.Unique()
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	must(tb, err)
	u, err := url.Parse(testenv.DatabaseURL())
	must(tb, err)
	u.Path = "/" + name
	pool, err = pgdb.Open(ctx, u.String())
	must(tb, err)
	must(tb, pgdb.Migrate(ctx, pool, slog.New(slog.DiscardHandler)))
	must(tb, customers.Prepare(ctx, pool))
	return name, u.String(), pool
}

func dropDB(name string, pool *pgxpool.Pool) {
	pool.Close()
	ctx := context.Background()
	if admin, err := pgx.Connect(ctx, testenv.DatabaseURL()); err == nil {
		admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") //nolint:errcheck // best effort
		admin.Close(ctx)
	}
}

// seeded returns the shared seeded database, seeding it on first use. With
// SWITCHBOARD_BENCH_DATABASE_URL set, the benchmarks other than
// BenchmarkSeed use that database instead, seed it only if it has no
// customers, and leave it in place: a bank of ten million interactions
// takes minutes to build, and can then serve many runs.
func seeded(tb testing.TB) *pgxpool.Pool {
	bench.Lock()
	defer bench.Unlock()
	if u := os.Getenv("SWITCHBOARD_BENCH_DATABASE_URL"); u != "" && bench.pool == nil {
		pool, err := pgdb.Open(context.Background(), u)
		must(tb, err)
		must(tb, pgdb.Migrate(context.Background(), pool, slog.New(slog.DiscardHandler)))
		must(tb, customers.Prepare(context.Background(), pool))
		var n int
		must(tb, pool.QueryRow(context.Background(), `SELECT count(*) FROM customers`).Scan(&n))
		if n == 0 {
			_, err = demobank.Seed(context.Background(), pool, benchOptions(tb))
			must(tb, err)
		}
		bench.pool = pool // no name: never dropped
	}
	if bench.pool == nil {
		name, u, pool := createDB(tb)
		res, err := demobank.Seed(context.Background(), pool, benchOptions(tb))
		must(tb, err)
		tb.Logf("seeded %d customers, %d interactions, %d events in %v", res.Customers, res.Interactions, res.Events, res.Took)
		bench.name, bench.url, bench.pool = name, u, pool
	}
	return bench.pool
}

func BenchmarkSeed(b *testing.B) {
	opts := benchOptions(b)
	var took time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		name, u, pool := createDB(b)
		b.StartTimer()
		start := time.Now()
		if _, err := demobank.Seed(context.Background(), pool, opts); err != nil {
			b.Fatal(err)
		}
		took += time.Since(start)
		b.StopTimer()
		bench.Lock()
		if bench.pool == nil && os.Getenv("SWITCHBOARD_BENCH_DATABASE_URL") == "" {
			bench.name, bench.url, bench.pool = name, u, pool
		} else {
			dropDB(name, pool)
		}
		bench.Unlock()
		b.StartTimer()
	}
	b.ReportMetric(float64(opts.Customers)*float64(b.N)/took.Seconds(), "customers/s")
	b.ReportMetric(float64(opts.Interactions)*float64(b.N)/took.Seconds(), "interactions/s")
}

func BenchmarkRecompute(b *testing.B) {
	pool := seeded(b)
	ctx := context.Background()
	svc := customers.NewService(pool, customers.Config{})
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Recompute(ctx, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	})
	// Moving the VIP threshold back and forth moves the customers between
	// 500,000 and 600,000 each time: a recompute that writes.
	b.Run("policy-change", func(b *testing.B) {
		var changed int64
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			_, err := svc.SetValuePolicy(ctx, "vip:min_aum="+[]string{"600000", "500000"}[i%2])
			must(b, err)
			b.StartTimer()
			n, err := svc.Recompute(ctx, "bench")
			must(b, err)
			changed += n
		}
		b.ReportMetric(float64(changed)/float64(b.N), "changed/op")
		_, err := svc.SetValuePolicy(ctx, "vip:min_aum=500000")
		must(b, err)
		_, err = svc.Recompute(ctx, "bench")
		must(b, err)
	})
}

func BenchmarkViewByPhone(b *testing.B) {
	pool := seeded(b)
	ctx := context.Background()
	var viewer switchboard.Agent
	must(b, pool.QueryRow(ctx, `SELECT id, role FROM agents WHERE username = 'agent0001'`).Scan(&viewer.ID, &viewer.Role))
	// 2,000 customers spread over the whole table.
	step := max(1, benchOptions(b).Customers/2000)
	rows, err := pool.Query(ctx, `SELECT phone FROM customers WHERE id % $1 = 0 ORDER BY id LIMIT 2000`, step)
	must(b, err)
	phones, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(b, err)
	svc := customers.NewService(pool, customers.Config{})
	// Warm the pool's connections and their statement caches.
	for _, p := range phones[:min(len(phones), 50)] {
		_, err := svc.LookupByPhone(ctx, &viewer, p, "bench")
		must(b, err)
	}
	lat := make([]time.Duration, 0, 1<<16)
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := svc.LookupByPhone(ctx, &viewer, phones[i%len(phones)], "bench"); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / 1e6 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
