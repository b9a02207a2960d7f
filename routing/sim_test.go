package routing

import (
	"context"
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

// TestSimulatorMatchesQueueingTheory runs the simulator with strict
// priority, no abandonment, identical exponential handle times and one
// queue, and compares its long-run figures with Erlang C (total mean wait,
// service level) and Cobham's non-preemptive priority formula (mean wait
// per tier). It simulates about 60,000 calls, ~10 s on this machine.
func TestSimulatorMatchesQueueingTheory(t *testing.T) {
	rdb, prefix := testenv.MustRedis(t)
	const c = 10
	aht := 100 * time.Second
	mu := 1 / aht.Seconds()
	rates := map[switchboard.ValueTier]float64{
		switchboard.TierPrivate: 0.01, switchboard.TierVIP: 0.02, switchboard.TierStandard: 0.05,
	}
	lambda := 0.08 // ρ = λ/(cμ) = 0.8
	threshold := 20 * time.Second
	start := time.Now()
	res, err := Simulate(context.Background(), rdb, SimConfig{Agents: c, AHT: aht, Rates: rates,
		Duration: 750000 * time.Second, SLThreshold: threshold, Seed: 7, Prefix: prefix,
		Aging: map[switchboard.ValueTier]time.Duration{switchboard.TierPrivate: Strict, switchboard.TierVIP: Strict,
			switchboard.TierStandard: Strict, switchboard.TierMass: Strict}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls in %v", res.Total.Offered, time.Since(start))
	a := lambda / mu
	pw := erlangC(c, a)
	wq := pw / (c*mu - lambda)
	sl := 1 - pw*math.Exp(-(c*mu-lambda)*threshold.Seconds())
	near(t, "total mean wait", res.Total.MeanWait, wq, 0.05)
	near(t, "service level", res.Total.ServiceLevel, sl, 0.03)
	near(t, "occupancy", res.Occupancy, lambda/(c*mu), 0.03)
	w0 := pw / (c * mu)
	sigma := 0.0
	for _, tier := range []switchboard.ValueTier{switchboard.TierPrivate, switchboard.TierVIP, switchboard.TierStandard} {
		prev := sigma
		sigma += rates[tier] / (c * mu)
		near(t, string(tier)+" mean wait", res.Tiers[tier].MeanWait, w0/((1-prev)*(1-sigma)), 0.06)
	}
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	rel := math.Abs(got-want) / want
	t.Logf("%s: simulated %.4f, theory %.4f (%.1f%% off)", what, got, want, 100*rel)
	if rel > tol {
		t.Errorf("%s: simulated %.4f, theory %.4f: %.1f%% off, more than %.0f%%", what, got, want, 100*rel, 100*tol)
	}
}
