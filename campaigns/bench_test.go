package campaigns

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/channels/twiliosim"
	"switchboard/customers/demobank"
	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

// benchBank returns a database holding the customers package's demo bank
// of SWITCHBOARD_BENCH_CUSTOMERS customers (20,000 unless set; make bench
// sets a million) and SWITCHBOARD_BENCH_INTERACTIONS past interactions
// (one per customer unless set). With SWITCHBOARD_BENCH_DATABASE_URL it uses (and, if
// empty, seeds) that database and leaves it in place.
func benchBank(b *testing.B) *pgxpool.Pool {
	b.Helper()
	ctx := context.Background()
	var pool *pgxpool.Pool
	if u := os.Getenv("SWITCHBOARD_BENCH_DATABASE_URL"); u != "" {
		var err error
		if pool, err = pgdb.Open(ctx, u); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		if err := pgdb.Migrate(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
			b.Fatal(err)
		}
	} else {
		pool = testenv.MustOpenDB(b)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		want, history := envInt("SWITCHBOARD_BENCH_CUSTOMERS", 20_000), envInt("SWITCHBOARD_BENCH_INTERACTIONS", 0)
		if history == 0 {
			history = want
		}
		res, err := demobank.Seed(ctx, pool, demobank.Options{Customers: want, Agents: 100, Seed: 1, Interactions: history})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d customers in %v", res.Customers, res.Took)
	}
	return pool
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkAudienceBuild builds the audience of a typical cross-sell
// segment (VIP and standard, core and active, no mortgage yet, not
// contacted for 30 days) of the whole bank, in one statement.
func BenchmarkAudienceBuild(b *testing.B) {
	ctx := context.Background()
	pool := benchBank(b)
	store := NewStore(pool, time.Now)
	var customersN int
	pool.QueryRow(ctx, `SELECT count(*) FROM customers`).Scan(&customersN)
	since := time.Now().Add(-30 * 24 * time.Hour)
	var size int
	var took time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := &Campaign{Name: "mortgage cross-sell", Channel: switchboard.ChannelVoice, DialMode: Progressive, Queue: "outbound",
			StartsAt: time.Now(), EndsAt: time.Now().Add(30 * 24 * time.Hour),
			Audience: Audience{Tiers: []switchboard.ValueTier{"vip", "standard"}, Layers: []switchboard.ActivityLayer{"core", "active"},
				ProductsNotHeld: []string{"mortgage"}, LastContactedBefore: &since}}
		b.StopTimer()
		if err := store.Create(ctx, c); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		n, err := store.Move(ctx, c.ID, Scheduled)
		took += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		size = n
		b.StopTimer()
		mustExec(b, pool, `DELETE FROM campaigns WHERE id = $1`, c.ID)
		b.StartTimer()
	}
	b.ReportMetric(took.Seconds()/float64(b.N), "s/audience")
	b.ReportMetric(float64(size), "contacts")
	b.ReportMetric(float64(customersN), "customers")
}

// BenchmarkDialerDecisions measures claims: take a due contact with FOR
// UPDATE SKIP LOCKED, run every compliance gate, record the live attempt,
// from several goroutines at once as several processes would.
func BenchmarkDialerDecisions(b *testing.B) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(b)
	store := NewStore(pool, func() time.Time { return monday.Add(3 * time.Hour) })
	mustExec(b, pool, `INSERT INTO customers (name, phone, value_tier)
		SELECT 'c' || g, '+86137' || lpad(g::text, 8, '0'), 'standard' FROM generate_series(1, $1::int) g`, b.N+1000)
	c := voiceCampaign("bench", Progressive, []int64{1})
	c.AgentIDs = nil
	c.Queue = "outbound"
	if err := store.Create(ctx, c); err != nil {
		b.Fatal(err)
	}
	if _, err := store.Move(ctx, c.ID, Scheduled); err != nil {
		b.Fatal(err)
	}
	store.advance(ctx)
	if c, _ = store.Get(ctx, c.ID); c.State != Running {
		b.Fatalf("campaign %s", c.State)
	}
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, r, ok, err := store.claimNext(ctx, DefaultGate(), "bench", c, 0); err != nil || !ok || r != ReasonNone {
				b.Errorf("claim: %v, %v, %q", ok, err, r)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "decisions/s")
}

// BenchmarkSMSSend sends an SMS campaign through the Twilio simulator at
// an unthrottled rate: gates, the send, and the record of each text.
func BenchmarkSMSSend(b *testing.B) {
	ctx := context.Background()
	start := monday.Add(3 * time.Hour)
	w := newWorld(b, start, twiliosim.Answering{})
	r := w.rig("bench", DialerConfig{Decisions: 500})
	mustExec(b, r.pool, `INSERT INTO customers (name, phone, value_tier)
		SELECT 'c' || g, '+86137' || lpad(g::text, 8, '0'), 'standard' FROM generate_series(1, $1::int) g`, b.N)
	c := &Campaign{Name: "bench", Channel: switchboard.ChannelSMS, Template: "{name}，您好", StartsAt: monday, EndsAt: monday.Add(72 * time.Hour)}
	c.Rules = DefaultRules()
	c.Rules.SMSPerMinute = 100000
	if err := r.store.Create(ctx, c); err != nil {
		b.Fatal(err)
	}
	if _, err := r.store.Move(ctx, c.ID, Scheduled); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	began := time.Now()
	for sent := 0; sent < b.N; {
		w.clock.Advance(time.Minute) // the rate never binds
		n, err := r.dialer.Step(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			b.Fatalf("nothing sent after %d", sent)
		}
		sent += n
	}
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "texts/s")
}
