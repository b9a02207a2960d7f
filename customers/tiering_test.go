package customers_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/customers"
	"switchboard/internal/testenv"
)

var testNow = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

func newService(tb testing.TB) (*customers.Service, *pgxpool.Pool) {
	tb.Helper()
	pool := testenv.MustOpenDB(tb)
	must(tb, customers.Prepare(context.Background(), pool))
	return customers.NewService(pool, customers.Config{Now: func() time.Time { return testNow }}), pool
}

type tierCase struct {
	aum, profit string
	idle        time.Duration // since the last transaction; 0 means never transacted
	txn90d      int
	tier        switchboard.ValueTier
	layer       switchboard.ActivityLayer
}

const day = 24 * time.Hour

// With the default policy: private 6,000,000 / 20,000; vip 500,000 / 2,000;
// standard 50,000 / 0; core within 30 days and 20 transactions; active
// within 180 days and 1 transaction.
var tierCases = map[string]tierCase{
	"exactly private":                {"6000000", "20000", day, 25, switchboard.TierPrivate, switchboard.LayerCore},
	"private aum one cent under":     {"5999999.99", "20000", day, 25, switchboard.TierVIP, switchboard.LayerCore},
	"private profit one cent under":  {"6000000", "19999.99", day, 25, switchboard.TierVIP, switchboard.LayerCore},
	"exactly vip":                    {"500000", "2000", day, 5, switchboard.TierVIP, switchboard.LayerActive},
	"vip aum one cent under":         {"499999.99", "2000", day, 5, switchboard.TierStandard, switchboard.LayerActive},
	"vip profit one cent under":      {"500000", "1999.99", day, 5, switchboard.TierStandard, switchboard.LayerActive},
	"exactly standard":               {"50000", "0", day, 1, switchboard.TierStandard, switchboard.LayerActive},
	"standard aum one cent under":    {"49999.99", "0", day, 1, switchboard.TierMass, switchboard.LayerActive},
	"standard profit one cent under": {"50000", "-0.01", day, 1, switchboard.TierMass, switchboard.LayerActive},
	"rich but loss-making":           {"90000000", "-150000", day, 40, switchboard.TierMass, switchboard.LayerCore},
	"nothing at all":                 {"0", "0", 0, 0, switchboard.TierMass, switchboard.LayerDormant},
	"core exactly 30 days idle":      {"0", "0", 30 * day, 20, switchboard.TierMass, switchboard.LayerCore},
	"core one second too idle":       {"0", "0", 30*day + time.Second, 20, switchboard.TierMass, switchboard.LayerActive},
	"core one transaction short":     {"0", "0", day, 19, switchboard.TierMass, switchboard.LayerActive},
	"active exactly 180 days idle":   {"0", "0", 180 * day, 1, switchboard.TierMass, switchboard.LayerActive},
	"dormant by idle days":           {"0", "0", 181 * day, 30, switchboard.TierMass, switchboard.LayerDormant},
	"dormant without transactions":   {"0", "0", day, 0, switchboard.TierMass, switchboard.LayerDormant},
	"never transacted but counted":   {"0", "0", 0, 50, switchboard.TierMass, switchboard.LayerDormant},
}

func TestTierBoundaries(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	ctx := context.Background()
	ids := map[string]int64{}
	for name, tc := range tierCases {
		var id int64
		var last *time.Time
		if tc.idle > 0 {
			at := testNow.Add(-tc.idle)
			last = &at
		}
		// Start every customer in the tier and layer it must leave, so the
		// recompute has to decide each one.
		err := pool.QueryRow(ctx, `INSERT INTO customers (name, aum, profit_12m, last_txn_at, txn_count_90d, value_tier, activity_layer)
			VALUES ($1, $2::numeric, $3::numeric, $4, $5,
				CASE WHEN $6 = 'mass' THEN 'private' ELSE 'mass' END,
				CASE WHEN $7 = 'dormant' THEN 'core' ELSE 'dormant' END) RETURNING id`,
			name, tc.aum, tc.profit, last, tc.txn90d, string(tc.tier), string(tc.layer)).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		ids[name] = id
	}
	n, err := svc.Recompute(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(tierCases)) {
		t.Errorf("Recompute changed %d customers, want all %d", n, len(tierCases))
	}
	for name, tc := range tierCases {
		t.Run(name, func(t *testing.T) {
			var tier switchboard.ValueTier
			var layer switchboard.ActivityLayer
			if err := pool.QueryRow(ctx, `SELECT value_tier, activity_layer FROM customers WHERE id = $1`, ids[name]).Scan(&tier, &layer); err != nil {
				t.Fatal(err)
			}
			if tier != tc.tier || layer != tc.layer {
				t.Errorf("aum %s profit %s idle %v txn %d: got %s/%s, want %s/%s",
					tc.aum, tc.profit, tc.idle, tc.txn90d, tier, layer, tc.tier, tc.layer)
			}
		})
	}
}

func TestRecomputeChangesOnlyWhatChanged(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	ctx := context.Background()
	recent := testNow.Add(-2 * day)
	var stay, move int64
	// Already right: private and core.
	must(t, pool.QueryRow(ctx, `INSERT INTO customers (name, aum, profit_12m, last_txn_at, txn_count_90d, value_tier, activity_layer, updated_at)
		VALUES ('Stay', 7000000, 30000, $1, 30, 'private', 'core', '2020-01-01') RETURNING id`, recent).Scan(&stay))
	// Recorded as vip/active but now qualifies for standard/dormant.
	must(t, pool.QueryRow(ctx, `INSERT INTO customers (name, aum, profit_12m, last_txn_at, txn_count_90d, value_tier, activity_layer)
		VALUES ('Move', 60000, 100, $1, 0, 'vip', 'active') RETURNING id`, testNow.Add(-400*day)).Scan(&move))

	n, err := svc.Recompute(ctx, "nightly")
	if err != nil || n != 1 {
		t.Fatalf("first recompute: changed %d, %v; want 1", n, err)
	}
	var updated time.Time
	must(t, pool.QueryRow(ctx, `SELECT updated_at FROM customers WHERE id = $1`, stay).Scan(&updated))
	if updated.Year() != 2020 {
		t.Errorf("an unchanged customer was rewritten (updated_at %v)", updated)
	}
	var from, to, fromL, toL, reason string
	var at time.Time
	must(t, pool.QueryRow(ctx, `SELECT from_tier, to_tier, from_layer, to_layer, reason, changed_at FROM tier_changes WHERE customer_id = $1`,
		move).Scan(&from, &to, &fromL, &toL, &reason, &at))
	if from != "vip" || to != "standard" || fromL != "active" || toL != "dormant" || reason != "nightly" || !at.Equal(testNow) {
		t.Errorf("history: %s→%s %s→%s %q at %v", from, to, fromL, toL, reason, at)
	}

	if n, err := svc.Recompute(ctx, ""); err != nil || n != 0 {
		t.Errorf("second recompute changed %d (%v), want 0", n, err)
	}
	var changes int
	must(t, pool.QueryRow(ctx, `SELECT count(*) FROM tier_changes`).Scan(&changes))
	if changes != 1 {
		t.Errorf("tier_changes has %d rows, want 1", changes)
	}

	// Raising the standard threshold moves the customer again; the policy
	// change itself moves nobody until the recompute.
	if _, err := svc.SetValuePolicy(ctx, "standard:min_aum=70000"); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.Recompute(ctx, ""); err != nil || n != 1 {
		t.Errorf("recompute after policy change: %d, %v; want 1", n, err)
	}
	c, err := svc.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(c)
	want := `{"value_tier":{"private":1,"vip":0,"standard":0,"mass":1},"activity_layer":{"core":1,"active":0,"dormant":1}}`
	if string(got) != want {
		t.Errorf("counts\n got %s\nwant %s", got, want)
	}
}

func TestSetPolicy(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	bad := map[string]struct {
		value bool
		spec  string
	}{
		"no colon":               {true, "private"},
		"unknown tier":           {true, "gold:min_aum=1"},
		"mass is the catch-all":  {true, "mass:min_aum=1"},
		"unknown field":          {true, "vip:min_assets=1"},
		"three decimals":         {true, "vip:min_aum=1.005"},
		"letters":                {true, "vip:min_aum=1e6"},
		"field twice":            {true, "vip:min_aum=1,min_aum=2"},
		"vip above private":      {true, "vip:min_aum=7000000"},
		"private below vip":      {true, "private:min_profit=1000"},
		"dormant is catch-all":   {false, "dormant:max_idle_days=5"},
		"negative days":          {false, "core:max_idle_days=-1"},
		"core idler than active": {false, "core:max_idle_days=200"},
		"active asks more":       {false, "active:min_txn_90d=25"},
	}
	before, err := svc.Policy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			set := svc.SetActivityPolicy
			if tc.value {
				set = svc.SetValuePolicy
			}
			if _, err := set(ctx, tc.spec); !errors.Is(err, switchboard.ErrInvalid) {
				t.Errorf("%q: err %v, want ErrInvalid", tc.spec, err)
			}
		})
	}
	after, err := svc.Policy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if b, a := mustJSON(t, before), mustJSON(t, after); b != a {
		t.Errorf("refused changes changed the policy:\n%s\n%s", b, a)
	}
	p, err := svc.SetActivityPolicy(ctx, "core:max_idle_days=14,min_txn_90d=30")
	if err != nil {
		t.Fatal(err)
	}
	if p.Activity[0].MaxIdleDays != 14 || p.Activity[0].MinTxn90d != 30 {
		t.Errorf("core rule after change: %+v", p.Activity[0])
	}
	p, err = svc.SetValuePolicy(ctx, "private:min_aum=8000000.50")
	if err != nil || p.Value[0].MinAUM != 800000050 || p.Value[0].MinProfit != 2000000 {
		t.Errorf("private rule after change: %+v, %v", p.Value[0], err)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	must(tb, err)
	return string(b)
}
