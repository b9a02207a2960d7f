package demobank

import (
	"slices"
	"testing"
	"time"
)

func defaultBands() bands {
	return bands{minAUM: [3]int64{600_000_000, 50_000_000, 5_000_000}, minProfit: [3]int64{2_000_000, 200_000, 0},
		coreIdle: 30 * day, activeIdle: 180 * day, coreMin: 20, activeMin: 1}
}

func TestSeedProfitShape(t *testing.T) {
	s := &seeder{now: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), salt: 42, n: 40_000, bands: defaultBands(),
		crew: &crew{rms: []int64{1, 2, 3}, all: []int64{4}}}
	g := newGen()
	profits := make([]int64, s.n)
	var total, neg int64
	for i := range s.n {
		p := s.person(g.r, g.src, i)
		profits[i] = p.profit
		total += p.profit
		if p.profit < 0 {
			neg++
		}
	}
	slices.Sort(profits)
	var top int64
	for _, v := range profits[len(profits)*4/5:] {
		top += v
	}
	share, negShare := float64(top)/float64(total), float64(neg)/float64(s.n)
	t.Logf("top 20%% bring %.1f%% of profit; %.1f%% negative", 100*share, 100*negShare)
	if share < 0.75 || share > 0.85 {
		t.Errorf("top 20%% bring %.1f%%, want about 80%%", 100*share)
	}
	if negShare < 0.20 || negShare > 0.30 {
		t.Errorf("%.1f%% loss-making, want 20-30%%", 100*negShare)
	}
}
