package routing

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"switchboard"
	"switchboard/internal/testenv"
)

// erlangC is the probability that an arrival waits in M/M/c with offered
// load a = λ/μ erlangs.
func erlangC(c int, a float64) float64 {
	term, sum := 1.0, 1.0 // a^k/k! for k = 0
	for k := 1; k < c; k++ {
		term *= a / float64(k)
		sum += term
	}
	last := term * a / float64(c) * float64(c) / (float64(c) - a) // a^c/c! · c/(c-a)
	return last / (sum + last)
}

// theory is M/M/c at the load the run actually offered: the arrival rate
// and mean handle time realised by the random draws, not the nominal ones,
// so the comparison measures the engine and not the luck of the draws.
type theory struct {
	c      int
	a, s   float64 // offered load (erlangs), mean handle time (s)
	lambda float64 // arrivals per second
	pw     float64 // Erlang C: the probability of waiting
}

func realised(c int, res SimResult, d time.Duration) theory {
	th := theory{c: c, a: res.Occupancy * float64(c), lambda: float64(res.Total.Offered) / d.Seconds()}
	th.s = th.a / th.lambda
	th.pw = erlangC(c, th.a)
	return th
}

func (th theory) wait() float64 { return th.pw * th.s / (float64(th.c) - th.a) }

func (th theory) serviceLevel(t time.Duration) float64 {
	return 1 - th.pw*math.Exp(-(float64(th.c)-th.a)*t.Seconds()/th.s)
}

// TestSimulatorMatchesQueueingTheory runs the simulator with one queue,
// identical exponential handle times, no abandonment and ρ = 0.8, and
// compares its long-run figures with queueing theory:
//
//   - strict priority over three tiers: the total mean wait with Erlang C
//     (the mean does not depend on the order of service), each tier's mean
//     wait with Cobham's non-preemptive priority formula, and the share
//     answered at once with 1 − C (neither does it);
//   - first come, first served: the service level at 20 s with Erlang C
//     (under priorities the total service level at a threshold is not
//     Erlang C's, so it is checked without them).
//
// Runs are seeded and so repeatable; the tolerances are a few standard
// errors of runs this long. About 85,000 calls: 30-40 s on this machine.
// Under the race detector, which slows the Go side several times over, the
// runs are half as long and the tolerances √2 wider (the standard error
// grows as the square root of the run's shortening).
func TestSimulatorMatchesQueueingTheory(t *testing.T) {
	const c = 10
	aht := 100 * time.Second
	scale, widen := 1.0, 1.0
	if raceEnabled {
		scale, widen = 0.5, math.Sqrt2
	}
	near := func(t *testing.T, what string, got, want, tol float64) {
		t.Helper()
		near(t, what, got, want, tol*widen)
	}
	strict := map[switchboard.ValueTier]time.Duration{switchboard.TierPrivate: Strict, switchboard.TierVIP: Strict,
		switchboard.TierStandard: Strict, switchboard.TierMass: Strict}
	t.Run("strict priority", func(t *testing.T) {
		rdb, prefix := testenv.MustRedis(t)
		rates := map[switchboard.ValueTier]float64{
			switchboard.TierPrivate: 0.01, switchboard.TierVIP: 0.02, switchboard.TierStandard: 0.05,
		}
		d := time.Duration(scale * float64(750000*time.Second))
		start := time.Now()
		res, err := Simulate(context.Background(), rdb, SimConfig{Agents: c, AHT: aht, Rates: rates, Duration: d,
			SLThreshold: 0, Seed: 7, Prefix: prefix, Aging: strict})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d calls in %v", res.Total.Offered, time.Since(start))
		near(t, "occupancy", res.Occupancy, 0.8, 0.01)
		th := realised(c, res, d)
		near(t, "total mean wait", res.Total.MeanWait, th.wait(), 0.05)
		near(t, "answered at once", res.Total.ServiceLevel, 1-th.pw, 0.03)
		w0 := th.pw * th.s / c
		sigma := 0.0
		for _, tier := range []switchboard.ValueTier{switchboard.TierPrivate, switchboard.TierVIP, switchboard.TierStandard} {
			prev := sigma
			sigma += float64(res.Tiers[tier].Offered) / d.Seconds() * th.s / c
			near(t, string(tier)+" mean wait", res.Tiers[tier].MeanWait, w0/((1-prev)*(1-sigma)), 0.06)
		}
	})
	t.Run("first come first served", func(t *testing.T) {
		rdb, prefix := testenv.MustRedis(t)
		d := time.Duration(scale * float64(300000*time.Second))
		res, err := Simulate(context.Background(), rdb, SimConfig{Agents: c, AHT: aht,
			Rates: map[switchboard.ValueTier]float64{switchboard.TierStandard: 0.08}, Duration: d,
			SLThreshold: 20 * time.Second, Seed: 11, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		th := realised(c, res, d)
		near(t, "service level at 20 s", res.Total.ServiceLevel, th.serviceLevel(20*time.Second), 0.03)
		near(t, "mean wait", res.Total.MeanWait, th.wait(), 0.08)
	})
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	rel := math.Abs(got-want) / want
	t.Logf("%s: simulated %.4f, theory %.4f (%.1f%% off)", what, got, want, 100*rel)
	if rel > tol {
		t.Errorf("%s: simulated %.4f, theory %.4f: %.1f%% off, more than %.0f%%", what, got, want, 100*rel, 100*tol)
	}
}

func TestSimulate(t *testing.T) {
	rdb, prefix := testenv.MustRedis(t)
	ctx := context.Background()
	cfg := SimConfig{Prefix: prefix, Agents: 3, AHT: 60 * time.Second, Duration: 3600 * time.Second, SLThreshold: 20 * time.Second,
		Rates:    map[switchboard.ValueTier]float64{switchboard.TierVIP: 0.01, switchboard.TierMass: 0.03},
		Patience: 90 * time.Second, Seed: 3}
	a, err := Simulate(ctx, rdb, cfg)
	must(t, err)
	b, err := Simulate(ctx, rdb, cfg)
	must(t, err)
	if a.Total != b.Total {
		t.Fatalf("the same seed gave %+v and %+v", a.Total, b.Total)
	}
	if a.Total.Offered < 100 || a.Total.Abandoned == 0 || a.Total.Answered+a.Total.Abandoned != a.Total.Offered {
		t.Fatalf("implausible run: %+v", a.Total)
	}
	if a.Tiers[switchboard.TierVIP].MeanWait >= a.Tiers[switchboard.TierMass].MeanWait {
		t.Fatalf("vip waited %.1f s, mass %.1f s", a.Tiers[switchboard.TierVIP].MeanWait, a.Tiers[switchboard.TierMass].MeanWait)
	}
	if n, err := rdb.Keys(ctx, prefix+"*").Result(); err != nil || len(n) != 0 {
		t.Fatalf("keys left behind: %v %v", n, err)
	}
	bad := map[string]SimConfig{
		"no agents":   {AHT: time.Second, Duration: time.Second, Rates: cfg.Rates},
		"no arrivals": {Agents: 1, AHT: time.Second, Duration: time.Second},
		"bad tier":    {Agents: 1, AHT: time.Second, Duration: time.Second, Rates: map[switchboard.ValueTier]float64{"gold": 1}},
	}
	for name, c := range bad {
		if _, err := Simulate(ctx, rdb, c); !errors.Is(err, switchboard.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}
