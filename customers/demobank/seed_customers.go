package demobank

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"switchboard"
)

// person is one generated customer. Every field is a pure function of the
// seed, the customer's index and the policy, so any pass of the seed (the
// customers, their accounts, notes, complaints) regenerates the same person
// without keeping a million of them in memory.
type person struct {
	idx              uint64
	id               int64
	tier             switchboard.ValueTier
	layer            switchboard.ActivityLayer
	country          country
	corporate        bool
	phone, phoneAlt  string
	rm               int64
	name, nameZh     string
	email, chatID    string
	nationalID       string
	birth            *time.Time
	language, zone   string
	region, risk     string
	lifecycle        string
	preferred        string
	aum, profit      int64 // cents
	txn90            int
	lastTxn          *time.Time
	optCall, optSMS  bool
	dnc              bool
	riskFlag         string
	created          time.Time
	accounts         []seedAccount
	products         []string
	complaint, notes int
}

type seedAccount struct {
	number, product, status string
	balance                 int64
	opened                  time.Time
	matures                 *time.Time
}

// Streams keep the random sequences of the seed's passes apart.
const (
	streamCustomer uint64 = 0xc0570e1 + iota
	streamInteraction
	streamTier
	streamLayer
	streamRM
	streamSide
	streamHoldings
)

// mix is SplitMix64 of a and b: a well-spread hash for block offsets.
func mix(a, b uint64) uint64 {
	z := a ^ (b+0x9e3779b97f4a7c15)*0xbf58476d1ce4e5b9
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// tierOf gives exactly 1 private, 7 vip, 8 standard and 24 mass customers in
// every block of 40 consecutive customers (2.5 / 17.5 / 20 / 60 %), at
// positions that differ from block to block.
func (s *seeder) tierOf(i uint64) switchboard.ValueTier {
	pos := (i%40*7 + mix(s.salt^streamTier, i/40)) % 40
	switch {
	case pos < 1:
		return switchboard.TierPrivate
	case pos < 8:
		return switchboard.TierVIP
	case pos < 16:
		return switchboard.TierStandard
	}
	return switchboard.TierMass
}

// layerOf gives 3 core, 13 active and 4 dormant customers in every block of
// 20 (15 / 65 / 20 %).
func (s *seeder) layerOf(i uint64) switchboard.ActivityLayer {
	pos := (i%20*3 + mix(s.salt^streamLayer, i/20)) % 20
	switch {
	case pos < 3:
		return switchboard.LayerCore
	case pos < 16:
		return switchboard.LayerActive
	}
	return switchboard.LayerDormant
}

// core generates what the interaction history needs of a customer: tier,
// phone and RM. r is reseeded, so the same index always gives the same
// person; person continues from the same state.
func (s *seeder) core(r *rand.Rand, src *rand.PCG, i uint64) person {
	src.Seed(s.salt^streamCustomer, i)
	p := person{idx: i, id: int64(i + 1), tier: s.tierOf(i), layer: s.layerOf(i), country: countryOf(r)}
	p.corporate = r.IntN(100) < 3
	p.phone = phoneOf(p.country, i, false)
	if p.tier == switchboard.TierPrivate || p.tier == switchboard.TierVIP {
		p.rm = s.crew.rms[mix(s.salt^streamRM, i)%uint64(len(s.crew.rms))]
	}
	return p
}

// person generates the whole customer with index i.
func (s *seeder) person(r *rand.Rand, src *rand.PCG, i uint64) person {
	p := s.core(r, src, i)
	c := p.country
	if p.corporate {
		p.name, p.nameZh = companyName(r, c)
	} else {
		p.name, p.nameZh = personName(r, c)
	}
	p.language, p.zone, p.region = "zh", c.zones[r.IntN(len(c.zones))], c.regions[r.IntN(len(c.regions))]
	if c.english || (c.cantonese && r.IntN(3) == 0) {
		p.language = "en"
	}
	if r.IntN(8) == 0 {
		p.phoneAlt = phoneOf(china, i, true)
	}
	if r.IntN(10) < 3 {
		p.chatID = "webchat-" + strconv.FormatInt(p.id, 36)
	}
	p.email = strings.ToLower(strings.ReplaceAll(strings.Fields(p.name)[0], ",", "")) + "." + strconv.FormatInt(p.id, 10) + "@example.com"
	age := 22 + r.IntN(58)
	birth := time.Date(s.now.Year()-age, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	if !p.corporate {
		p.birth = &birth
	}
	p.nationalID = nationalID(r, c, birth.Format("20060102"))
	p.risk = riskPrefs[min(len(riskPrefs)-1, r.IntN(3)+2*(3-p.tier.Rank())/2)]
	p.preferred = []string{"", "voice", "voice", "sms", "chat"}[r.IntN(5)]
	s.side(r, src, &p)
	s.wealth(r, src, &p)
	return p
}

// side draws, from a stream of its own, what the notes, complaints and
// consent passes need, so that they skip generating the rest of the person.
func (s *seeder) side(r *rand.Rand, src *rand.PCG, p *person) {
	src.Seed(s.salt^streamSide, p.idx)
	p.optCall, p.optSMS, p.dnc = r.IntN(100) < 5, r.IntN(100) < 7, r.IntN(100) < 2
	p.riskFlag = riskFlag(r)
	p.complaint = r.IntN(1000)
	p.notes = r.IntN(100)
}

// wealth draws, from a stream of its own, the money, activity and accounts,
// which the accounts pass needs without the rest.
func (s *seeder) wealth(r *rand.Rand, src *rand.PCG, p *person) {
	src.Seed(s.salt^streamHoldings, p.idx)
	s.money(r, p)
	s.activity(r, p)
	s.holdings(r, p)
}

var riskPrefs = []string{"conservative", "moderate", "balanced", "growth", "aggressive"}

func riskFlag(r *rand.Rand) string {
	switch u := r.IntN(1000); {
	case u < 6:
		return "watch"
	case u < 8:
		return "aml_review"
	case u < 9:
		return "fraud_alert"
	}
	return ""
}

// lognormal draws e^(mu + sigma·N(0,1)).
func lognormal(r *rand.Rand, mu, sigma float64) float64 { return math.Exp(mu + sigma*r.NormFloat64()) }

// loguniform draws from [lo, hi) evenly on a log scale (lo > 0).
func loguniform(r *rand.Rand, lo, hi int64) int64 {
	v := int64(math.Exp(math.Log(float64(lo)) + r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
	return max(lo, min(hi-1, v))
}

// money draws AUM and profit inside the band of the customer's tier under
// the policy in force, so that a recompute agrees with the seed: a tier's
// AUM stays under the next tier's minimum, and its profit at or above its
// own. Profit follows a Pareto-like law: the top fifth of customers bring
// about four fifths of it, and two in five mass customers lose the bank
// money.
func (s *seeder) money(r *rand.Rand, p *person) {
	v := s.bands
	switch p.tier {
	case switchboard.TierPrivate:
		p.aum = int64(float64(v.minAUM[0]) * (1 + lognormal(r, 0, 0.8)))
		p.profit = v.minProfit[0] + int64(lognormal(r, 13.9, 0.9))
	case switchboard.TierVIP:
		p.aum = loguniform(r, v.minAUM[1], v.minAUM[0])
		p.profit = v.minProfit[1] + int64(lognormal(r, 13.4, 0.8))
	case switchboard.TierStandard:
		p.aum = loguniform(r, v.minAUM[2], v.minAUM[1])
		p.profit = max(v.minProfit[2], 0) + int64(float64(p.aum)*(0.006+0.04*r.Float64()))
	default:
		p.aum = int64(float64(v.minAUM[2]) * r.Float64() * r.Float64())
		if r.IntN(5) < 2 {
			p.profit = -int64(lognormal(r, 9.8, 1.0))
		} else {
			p.profit = int64(float64(p.aum)*(0.004+0.03*r.Float64())) + int64(r.IntN(30000))
		}
	}
}
