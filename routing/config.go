package routing

import (
	"fmt"
	"math"
	"time"

	"switchboard"
)

// Strict is an aging credit that never runs out: the tier is served before
// every tier with a finite credit, whatever the wait (strict priority).
const Strict time.Duration = -1

// Choice is how the engine picks among several eligible free agents.
type Choice string

const (
	LongestIdle   Choice = "longest_idle"   // the agent free for the longest time
	LeastOccupied Choice = "least_occupied" // the lowest share of capacity in use, then longest idle
)

// Queue is where interactions wait for agents with the queue's skills.
type Queue struct {
	Name          string
	Skills        []string
	SLThreshold   time.Duration // answered within this counts for the service level
	Overflow      string        // the queue to move to after OverflowAfter; "" for none
	OverflowAfter time.Duration
}

// AgentProfile is what routing needs to know about an agent. With a pool it
// comes from the agents table; without one, from Config.Agents.
type AgentProfile struct {
	ID       int64
	Skills   []string // skills and "lang:xx" for each language
	Tiers    []switchboard.ValueTier
	Capacity map[switchboard.Channel]int
}

// Config is the routing policy of one contact centre.
type Config struct {
	Centre string // the hash tag every key carries, e.g. "main"
	Prefix string // put in front of every key; tests and the simulator use their own

	ReservationTimeout time.Duration // how long an offer waits for an answer; default 15 s
	RMWait             time.Duration // how long a customer waits for a logged-in RM; default 20 s
	WrapUp             time.Duration // wrap-up after a conversation; default 30 s, negative for none
	WrapUpMax          time.Duration // the most wrap-up ExtendWrapUp may give, from its start; default 5 min

	// Aging is each tier's time credit: priority is waited time plus credit.
	// Strict means strict priority. nil gives DefaultAging.
	Aging map[switchboard.ValueTier]time.Duration
	// Rings is, per tier, how long an interaction waits before it widens to
	// agents of the next tier ring; 0 never widens. nil gives DefaultRings.
	Rings map[switchboard.ValueTier]time.Duration

	Choice      Choice        // default LongestIdle
	SLThreshold time.Duration // for queues without their own; default 20 s

	// OffersPerAgent is how many offers an agent holds at a time, across
	// channels; the next comes once one is answered, declined or
	// withdrawn. Default 1: each offer has the agent's full attention and
	// its own countdown. Negative for no limit (up to capacity).
	OffersPerAgent int
	// NotReadyOnMiss says, per channel, whether an agent who lets an offer
	// time out goes on break ("missed_offer"). nil gives
	// DefaultNotReadyOnMiss; an empty map keeps every agent ready.
	NotReadyOnMiss map[switchboard.Channel]bool

	// IgnoreLanguage routes without regard to the customer's language. By
	// default a task with a Language needs an agent who speaks it whenever
	// an active agent who speaks it (and has the queue's skills) exists;
	// a language nobody there speaks adds no requirement, so the customer
	// is served rather than left waiting.
	IgnoreLanguage bool

	Queues []Queue        // added to (and, by name, overriding) the queues table
	Agents []AgentProfile // agent profiles when there is no pool

	// SweepEvery is how often Run sweeps timers; default 250 ms.
	SweepEvery time.Duration

	// RebuildSettle is the least a rebuild waits, once Redis is found
	// empty, before it reads Postgres, when this engine saw the state
	// before: the engines that run (Run) are waited for until they answer
	// that their records are written, but an engine that never runs (a
	// tool's) is known to no one, and its records get this long to land.
	// Default 1 s.
	RebuildSettle time.Duration
	// ReconcileEvery is how often Run has Postgres corrected where it
	// disagrees with Redis (see Reconcile), on one process at a time;
	// default 1 min.
	ReconcileEvery time.Duration

	// ScanWaiting bounds how many waiting interactions one match looks at;
	// default 32. Free agents are not scanned: a match finds the best
	// eligible free agent through the index, however many are free.
	ScanWaiting int
	// SweepScanWaiting is how deep the sweep's matching looks, so that
	// work behind ScanWaiting interactions no free agent can take (another
	// language, a busy relationship manager) is offered within a sweep;
	// default 512. A script call stops after 8,192 eligibility checks.
	SweepScanWaiting int

	// Events, when set, is called with every event this process causes, in
	// order, after it is in Redis (and Postgres). It must not block and must
	// not call the engine.
	Events func(Event)
}

// DefaultAging gives private banking five minutes of credit over the mass
// market, so it goes ahead of everyone who arrived less than five minutes
// earlier, yet nobody waits forever.
func DefaultAging() map[switchboard.ValueTier]time.Duration {
	return map[switchboard.ValueTier]time.Duration{
		switchboard.TierPrivate: 5 * time.Minute, switchboard.TierVIP: 2 * time.Minute,
		switchboard.TierStandard: 30 * time.Second, switchboard.TierMass: 0,
	}
}

// DefaultNotReadyOnMiss puts an agent on break for a missed call, not for
// a missed chat or text. A call that rings out means nobody is at the
// phone, and the next caller would ring the same empty desk; a chat or a
// text waits a few seconds more without harm, and is usually missed while
// the agent is typing in another conversation, so a break would take a
// working agent off every channel.
func DefaultNotReadyOnMiss() map[switchboard.Channel]bool {
	return map[switchboard.Channel]bool{switchboard.ChannelVoice: true}
}

// DefaultRings widens private and VIP interactions after 30 s and standard
// after 60 s; the mass market is the outer ring.
func DefaultRings() map[switchboard.ValueTier]time.Duration {
	return map[switchboard.ValueTier]time.Duration{
		switchboard.TierPrivate: 30 * time.Second, switchboard.TierVIP: 30 * time.Second,
		switchboard.TierStandard: 60 * time.Second,
	}
}

func (c Config) withDefaults() (Config, error) {
	if c.Centre == "" {
		c.Centre = "main"
	}
	if c.ReservationTimeout <= 0 {
		c.ReservationTimeout = 15 * time.Second
	}
	if c.RMWait == 0 {
		c.RMWait = 20 * time.Second
	}
	if c.WrapUp == 0 {
		c.WrapUp = 30 * time.Second
	} else if c.WrapUp < 0 {
		c.WrapUp = 0
	}
	if c.WrapUpMax <= 0 {
		c.WrapUpMax = 5 * time.Minute
	}
	c.WrapUpMax = max(c.WrapUpMax, c.WrapUp)
	if c.Aging == nil {
		c.Aging = DefaultAging()
	}
	if c.Rings == nil {
		c.Rings = DefaultRings()
	}
	if c.Choice == "" {
		c.Choice = LongestIdle
	}
	if c.OffersPerAgent == 0 {
		c.OffersPerAgent = 1
	}
	if c.NotReadyOnMiss == nil {
		c.NotReadyOnMiss = DefaultNotReadyOnMiss()
	}
	for ch := range c.NotReadyOnMiss {
		if _, err := switchboard.ParseChannel(string(ch)); err != nil {
			return c, fmt.Errorf("routing: not ready on a missed offer: %w", err)
		}
	}
	if c.SLThreshold <= 0 {
		c.SLThreshold = 20 * time.Second
	}
	qs := make([]Queue, len(c.Queues))
	for i, q := range c.Queues {
		if q.SLThreshold <= 0 {
			q.SLThreshold = c.SLThreshold
		}
		qs[i] = q
	}
	c.Queues = qs
	if c.SweepEvery <= 0 {
		c.SweepEvery = 250 * time.Millisecond
	}
	if c.RebuildSettle <= 0 {
		c.RebuildSettle = time.Second
	}
	if c.ReconcileEvery <= 0 {
		c.ReconcileEvery = time.Minute
	}
	if c.ScanWaiting <= 0 {
		c.ScanWaiting = 32
	}
	if c.SweepScanWaiting < c.ScanWaiting {
		c.SweepScanWaiting = max(512, c.ScanWaiting)
	}
	if c.Choice != LongestIdle && c.Choice != LeastOccupied {
		return c, switchboard.Errorf(switchboard.ErrInvalid, "routing: unknown agent choice %q", c.Choice)
	}
	for t := range c.Aging {
		if t.Rank() < 0 {
			return c, switchboard.Errorf(switchboard.ErrInvalid, "routing: aging for unknown tier %q", t)
		}
	}
	return c, nil
}

// strictStep is the credit, in ms, one strict tier has over the next: about
// three years, far beyond any wait, yet small enough that scores stay exact
// integers in a float64.
const strictStep = 100_000_000_000

// creditMs is the tier's time credit in milliseconds.
func (c Config) creditMs(t switchboard.ValueTier) int64 {
	d := c.Aging[t]
	if d < 0 {
		return int64(len(switchboard.ValueTiers)-t.Rank()) * strictStep
	}
	return int64(math.Min(float64(d.Milliseconds()), strictStep-1))
}
