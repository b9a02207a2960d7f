package demobank

import (
	"math/rand/v2"
	"slices"
	"time"

	"switchboard"
)

const day = 24 * time.Hour

// between draws a duration in [lo, hi].
func between(r *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(r.Int64N(int64(hi-lo)+1))
}

// activity draws the last transaction and the 90-day count inside the
// conditions of the customer's layer, a day clear of every boundary so that
// a recompute the next day still agrees. An active customer transacted in
// the last 90 days but fewer times than core asks; a dormant one not since
// the active window, or never.
func (s *seeder) activity(r *rand.Rand, p *person) {
	a := s.bands
	var idle time.Duration
	switch p.layer {
	case switchboard.LayerCore:
		idle = between(r, time.Hour, a.coreIdle-day)
		p.txn90 = a.coreMin + r.IntN(60)
	case switchboard.LayerActive:
		idle = between(r, time.Hour, min(a.activeIdle, 89*day)-day)
		p.txn90 = a.activeMin + r.IntN(max(1, a.coreMin-a.activeMin))
	default:
		if r.IntN(10) < 3 {
			break // opened an account and never used it
		}
		idle = a.activeIdle + 2*day + between(r, 0, 900*day)
	}
	if idle > 0 {
		t := s.now.Add(-idle).Truncate(time.Second)
		p.lastTxn = &t
	}
	age := between(r, 2*365*day, 20*365*day)
	if p.tier == switchboard.TierMass && r.IntN(10) == 0 {
		age = between(r, 30*day, 300*day)
	}
	p.created = s.now.Add(-age).Truncate(time.Second)
	switch {
	case p.layer == switchboard.LayerDormant:
		p.lifecycle = []string{"declining", "declining", "churned"}[r.IntN(3)]
	case age < 365*day:
		p.lifecycle = "new"
	default:
		p.lifecycle = []string{"growing", "mature"}[r.IntN(2)]
	}
}

// Asset products make up AUM; liabilities (negative balances) do not.
// extraAssets is indexed by tier rank.
var extraAssets = [][]string{
	{"time_deposit", "wealth", "fund", "insurance"},
	{"time_deposit", "wealth", "fund", "insurance"},
	{"time_deposit", "wealth", "fund"},
	{"time_deposit"},
}

// holdings draws the accounts: a current deposit account and, the higher the
// tier the more, time deposits, wealth products, funds and insurance whose
// balances add up to the AUM exactly; then cards and loans, and now and
// then an old closed account.
func (s *seeder) holdings(r *rand.Rand, p *person) {
	assets := []string{"deposit"}
	extra := extraAssets[p.tier.Rank()]
	var n int
	switch p.tier {
	case switchboard.TierPrivate:
		n = 4
	case switchboard.TierVIP:
		n = 1 + r.IntN(3)
	case switchboard.TierStandard:
		n = r.IntN(3)
	default:
		n = r.IntN(7) / 6
	}
	for _, k := range r.Perm(len(extra))[:min(n, len(extra))] {
		assets = append(assets, extra[k])
	}
	weights, total := make([]float64, len(assets)), 0.0
	for k := range weights {
		weights[k] = 0.2 + r.Float64()
		total += weights[k]
	}
	left := p.aum
	for k, product := range assets {
		bal := int64(float64(p.aum) * weights[k] / total)
		if k == len(assets)-1 {
			bal = left
		}
		left -= bal
		s.addAccount(r, p, product, "open", bal)
	}
	if r.IntN(100) < 35 {
		s.addAccount(r, p, "credit_card", "open", -r.Int64N(3_000_000))
	}
	if r.IntN(100) < 12 {
		s.addAccount(r, p, "mortgage", "open", -(20_000_000 + r.Int64N(280_000_000)))
	}
	if r.IntN(100) < 8 {
		s.addAccount(r, p, "personal_loan", "open", -(1_000_000 + r.Int64N(29_000_000)))
	}
	if r.IntN(100) < 5 {
		s.addAccount(r, p, "deposit", "closed", 0)
	}
	for _, a := range p.accounts {
		if a.status != "closed" && !slices.Contains(p.products, a.product) {
			p.products = append(p.products, a.product)
		}
	}
}

func (s *seeder) addAccount(r *rand.Rand, p *person, product, status string, balance int64) {
	opened := p.created.Add(between(r, 0, s.now.Sub(p.created)-day)).Truncate(day)
	a := seedAccount{
		number:  "62220" + pad(uint64(p.id), 12) + pad(uint64(len(p.accounts)+1), 2),
		product: product, status: status, balance: balance, opened: opened,
	}
	if product == "time_deposit" || product == "wealth" {
		m := opened.AddDate([]int{1, 2, 3, 5}[r.IntN(4)], 0, 0)
		a.matures = &m
	}
	p.accounts = append(p.accounts, a)
}
