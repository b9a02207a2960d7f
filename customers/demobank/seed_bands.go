package demobank

import (
	"time"

	"switchboard"
	"switchboard/customers"
)

// bands is the tier policy as the seed draws from it, in cents and
// durations.
type bands struct {
	minAUM, minProfit    [3]int64 // private, vip, standard
	coreIdle, activeIdle time.Duration
	coreMin, activeMin   int
}

// bandsOf reads the policy's thresholds and refuses a policy the seed cannot
// draw the demo proportions from: each value tier must need strictly more
// assets than the one below, with standard needing some; core must need more
// transactions than active, and both windows at least three days.
func bandsOf(p customers.Policy) (bands, error) {
	var b bands
	if len(p.Value) != 4 || len(p.Activity) != 3 {
		return b, switchboard.Errorf(switchboard.ErrInvalid, "the tier policy must have 4 value tiers and 3 activity layers")
	}
	for i := range 3 {
		b.minAUM[i], b.minProfit[i] = int64(p.Value[i].MinAUM), int64(p.Value[i].MinProfit)
	}
	core, active := p.Activity[0], p.Activity[1]
	b.coreIdle, b.activeIdle = time.Duration(core.MaxIdleDays)*day, time.Duration(active.MaxIdleDays)*day
	b.coreMin, b.activeMin = core.MinTxn90d, active.MinTxn90d
	if b.minAUM[0] <= b.minAUM[1] || b.minAUM[1] <= b.minAUM[2] || b.minAUM[2] <= 0 {
		return b, switchboard.Errorf(switchboard.ErrInvalid,
			"the demo bank needs min_aum strictly falling from private to vip to standard, above 0")
	}
	if b.coreMin <= b.activeMin || core.MaxIdleDays < 3 || active.MaxIdleDays < 3 {
		return b, switchboard.Errorf(switchboard.ErrInvalid,
			"the demo bank needs core to ask more transactions than active, and idle windows of 3 days or more")
	}
	return b, nil
}
