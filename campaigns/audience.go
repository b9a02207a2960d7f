package campaigns

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"switchboard"
)

// Audience is who a campaign reaches: a segment filter over customer fields,
// or an uploaded list of customers. Dormant and mass customers are left out
// unless the filter names them; a customer already in another live campaign
// is left out; so are customers who may not be contacted on the channel.
type Audience struct {
	Tiers               []switchboard.ValueTier     `json:"tiers,omitempty"`
	Layers              []switchboard.ActivityLayer `json:"layers,omitempty"`
	Lifecycle           []string                    `json:"lifecycle,omitempty"`
	ProductsHeld        []string                    `json:"products_held,omitempty"`     // all of these
	ProductsNotHeld     []string                    `json:"products_not_held,omitempty"` // none of these
	RMIDs               []int64                     `json:"rm_ids,omitempty"`
	Regions             []string                    `json:"regions,omitempty"`
	LastContactedBefore *time.Time                  `json:"last_contacted_before,omitempty"`
	// CustomerIDs is an uploaded list (see ParseList); with it the filter
	// fields above still narrow it.
	CustomerIDs []int64 `json:"customer_ids,omitempty"`
}

var lifecycles = []string{"prospect", "new", "growing", "mature", "declining", "churned"}

func (a Audience) validate() error {
	for _, t := range a.Tiers {
		if _, err := switchboard.ParseValueTier(string(t)); err != nil {
			return err
		}
	}
	for _, l := range a.Layers {
		if _, err := switchboard.ParseActivityLayer(string(l)); err != nil {
			return err
		}
	}
	for _, l := range a.Lifecycle {
		if !slices.Contains(lifecycles, l) {
			return invalid("unknown lifecycle stage %q", l)
		}
	}
	if len(a.CustomerIDs) > 1_000_000 {
		return invalid("an uploaded list may hold at most 1,000,000 customers")
	}
	return nil
}

// where returns the SQL condition over customers c selecting the segment,
// with its arguments numbered from first. Only values travel as arguments;
// the SQL text is built from fixed fragments.
func (a Audience) where(channel switchboard.Channel, first int) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", first+len(args)-1)))
	}
	conds = append(conds, "c.phone IS NOT NULL", "NOT c.do_not_call", "NOT EXISTS (SELECT 1 FROM dnc WHERE dnc.phone = c.phone)")
	if channel == switchboard.ChannelSMS {
		conds = append(conds, "NOT c.opt_out_sms")
	} else {
		conds = append(conds, "NOT c.opt_out_call")
	}
	if len(a.Tiers) > 0 {
		add("c.value_tier = ANY($?)", strs(a.Tiers))
	} else {
		conds = append(conds, "c.value_tier <> 'mass'")
	}
	if len(a.Layers) > 0 {
		add("c.activity_layer = ANY($?)", strs(a.Layers))
	} else {
		conds = append(conds, "c.activity_layer <> 'dormant'")
	}
	if len(a.Lifecycle) > 0 {
		add("c.lifecycle_stage = ANY($?)", a.Lifecycle)
	}
	if len(a.ProductsHeld) > 0 {
		add("c.products @> $?", a.ProductsHeld)
	}
	if len(a.ProductsNotHeld) > 0 {
		add("NOT (c.products && $?)", a.ProductsNotHeld)
	}
	if len(a.RMIDs) > 0 {
		add("c.rm_id = ANY($?)", a.RMIDs)
	}
	if len(a.Regions) > 0 {
		add("c.region = ANY($?)", a.Regions)
	}
	if a.LastContactedBefore != nil {
		add("NOT EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.id AND i.created_at >= $?)", *a.LastContactedBefore)
	}
	if len(a.CustomerIDs) > 0 {
		add("c.id = ANY($?)", a.CustomerIDs)
	}
	return strings.Join(conds, "\n  AND "), args
}

func strs[T ~string](in []T) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = string(v)
	}
	return out
}
