package switchboard

import "fmt"

// ValueTier is a customer's service level by value to the bank. The order of
// the constants is the order of service: private banking first. The tier is
// shown to agents and never to the customer.
type ValueTier string

const (
	TierPrivate  ValueTier = "private"  // 高价值 / 私人银行: high-value, private banking
	TierVIP      ValueTier = "vip"      // 大众富裕 / 贵宾: mass-affluent
	TierStandard ValueTier = "standard" // 中等收入: middle-income
	TierMass     ValueTier = "mass"     // 大众市场: mass market
)

// ValueTiers lists the value tiers from the highest to the lowest.
var ValueTiers = []ValueTier{TierPrivate, TierVIP, TierStandard, TierMass}

// Rank is the tier's position in ValueTiers (0 is the highest), or -1.
func (t ValueTier) Rank() int {
	for i, v := range ValueTiers {
		if v == t {
			return i
		}
	}
	return -1
}

// ParseValueTier returns ErrInvalid for a name that is not a value tier.
func ParseValueTier(s string) (ValueTier, error) {
	t := ValueTier(s)
	if t.Rank() < 0 {
		return "", Errorf(ErrInvalid, "unknown value tier %q (want one of private, vip, standard, mass)", s)
	}
	return t, nil
}

// ActivityLayer is the behavioural axis of tiering, kept apart from value.
type ActivityLayer string

const (
	LayerCore    ActivityLayer = "core"    // 核心客户
	LayerActive  ActivityLayer = "active"  // 活跃客户
	LayerDormant ActivityLayer = "dormant" // 休眠客户
)

// ActivityLayers lists the activity layers from the most to the least engaged.
var ActivityLayers = []ActivityLayer{LayerCore, LayerActive, LayerDormant}

// ParseActivityLayer returns ErrInvalid for a name that is not a layer.
func ParseActivityLayer(s string) (ActivityLayer, error) {
	for _, l := range ActivityLayers {
		if string(l) == s {
			return l, nil
		}
	}
	return "", Errorf(ErrInvalid, "unknown activity layer %q (want one of core, active, dormant)", s)
}

func (t ValueTier) String() string     { return string(t) }
func (l ActivityLayer) String() string { return string(l) }

var _ fmt.Stringer = TierPrivate
