package customers

import (
	"math"
	"strconv"
	"strings"

	"switchboard"
)

// ValueRule is one row of the value-tier policy: a customer reaches Tier when
// both minimums are met. Lower Rank is a higher tier.
type ValueRule struct {
	Tier      switchboard.ValueTier `json:"tier"`
	Rank      int                   `json:"rank"`
	MinAUM    Money                 `json:"min_aum"`
	MinProfit Money                 `json:"min_profit"`
}

// ActivityRule is one row of the activity-layer policy: a customer is in
// Layer with a transaction within MaxIdleDays and at least MinTxn90d
// transactions in the last 90 days.
type ActivityRule struct {
	Layer       switchboard.ActivityLayer `json:"layer"`
	Rank        int                       `json:"rank"`
	MaxIdleDays int                       `json:"max_idle_days"`
	MinTxn90d   int                       `json:"min_txn_90d"`
}

// Policy is the whole two-axis tiering policy, each axis in rank order.
type Policy struct {
	Value    []ValueRule    `json:"value"`
	Activity []ActivityRule `json:"activity"`
}

// valueRule returns the rule of tier t.
func (p Policy) valueRule(t switchboard.ValueTier) (*ValueRule, bool) {
	for i := range p.Value {
		if p.Value[i].Tier == t {
			return &p.Value[i], true
		}
	}
	return nil, false
}

// spec is a parsed policy change: "private:min_aum=6000000,min_profit=20000".
type spec struct {
	name   string
	fields map[string]string
}

func parseSpec(s string) (spec, error) {
	name, rest, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || name == "" || rest == "" {
		return spec{}, switchboard.Errorf(switchboard.ErrInvalid, "policy change %q: want NAME:field=value[,field=value]", s)
	}
	sp := spec{name: name, fields: map[string]string{}}
	for _, kv := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if !ok || k == "" || v == "" {
			return spec{}, switchboard.Errorf(switchboard.ErrInvalid, "policy change %q: %q is not field=value", s, kv)
		}
		if _, dup := sp.fields[k]; dup {
			return spec{}, switchboard.Errorf(switchboard.ErrInvalid, "policy change %q: %s given twice", s, k)
		}
		sp.fields[k] = v
	}
	return sp, nil
}

// applyValue changes the rule named in s within p. The catch-all tier mass
// has no thresholds to change.
func applyValue(p Policy, s spec) error {
	t, err := switchboard.ParseValueTier(s.name)
	if err != nil {
		return err
	}
	r, ok := p.valueRule(t)
	if !ok || t == switchboard.TierMass {
		return switchboard.Errorf(switchboard.ErrInvalid, "value tier %s has no thresholds to set (it takes every customer the others do not)", t)
	}
	for k, v := range s.fields {
		m, err := ParseMoney(v)
		if err != nil {
			return switchboard.Errorf(switchboard.ErrInvalid, "%s %s: %v", t, k, switchboard.ErrorMessage(err))
		}
		switch k {
		case "min_aum":
			r.MinAUM = m
		case "min_profit":
			r.MinProfit = m
		default:
			return switchboard.Errorf(switchboard.ErrInvalid, "value tier %s: unknown field %q (want min_aum, min_profit)", t, k)
		}
	}
	return p.checkValue()
}

// applyActivity changes the rule named in s within p. The catch-all layer
// dormant has no conditions to change.
func applyActivity(p Policy, s spec) error {
	l, err := switchboard.ParseActivityLayer(s.name)
	if err != nil {
		return err
	}
	var r *ActivityRule
	for i := range p.Activity {
		if p.Activity[i].Layer == l {
			r = &p.Activity[i]
		}
	}
	if r == nil || l == switchboard.LayerDormant {
		return switchboard.Errorf(switchboard.ErrInvalid, "activity layer %s has no conditions to set (it takes every customer the others do not)", l)
	}
	for k, v := range s.fields {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 100000 {
			return switchboard.Errorf(switchboard.ErrInvalid, "activity layer %s: %s=%q is not a whole number from 0 to 100000", l, k, v)
		}
		switch k {
		case "max_idle_days":
			r.MaxIdleDays = n
		case "min_txn_90d":
			r.MinTxn90d = n
		default:
			return switchboard.Errorf(switchboard.ErrInvalid, "activity layer %s: unknown field %q (want max_idle_days, min_txn_90d)", l, k)
		}
	}
	return p.checkActivity()
}

// checkValue refuses a policy in which a higher tier is easier to reach than
// the one below it on either axis: its customers would be ranked wrongly.
func (p Policy) checkValue() error {
	for i := 1; i < len(p.Value); i++ {
		hi, lo := p.Value[i-1], p.Value[i]
		if hi.MinAUM < lo.MinAUM || hi.MinProfit < lo.MinProfit {
			return switchboard.Errorf(switchboard.ErrInvalid,
				"value tier %s (min_aum %s, min_profit %s) must not be easier to reach than %s (min_aum %s, min_profit %s)",
				hi.Tier, hi.MinAUM, hi.MinProfit, lo.Tier, lo.MinAUM, lo.MinProfit)
		}
	}
	return nil
}

// checkActivity refuses a policy in which a more engaged layer asks less
// than the one below it.
func (p Policy) checkActivity() error {
	for i := 1; i < len(p.Activity); i++ {
		hi, lo := p.Activity[i-1], p.Activity[i]
		if hi.MaxIdleDays > lo.MaxIdleDays || hi.MinTxn90d < lo.MinTxn90d {
			return switchboard.Errorf(switchboard.ErrInvalid,
				"activity layer %s (max_idle_days %d, min_txn_90d %d) must not ask less than %s (max_idle_days %d, min_txn_90d %d)",
				hi.Layer, hi.MaxIdleDays, hi.MinTxn90d, lo.Layer, lo.MaxIdleDays, lo.MinTxn90d)
		}
	}
	return nil
}

// ParseMoney reads a decimal amount with at most two places ("6000000",
// "-250.5", "19.99").
func ParseMoney(s string) (Money, error) {
	neg := strings.HasPrefix(s, "-")
	whole, frac, _ := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if len(frac) > 2 || whole == "" || strings.Trim(whole+frac, "0123456789") != "" {
		return 0, switchboard.Errorf(switchboard.ErrInvalid, "%q is not an amount (digits, at most two decimals)", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > math.MaxInt64/100-100 {
		return 0, switchboard.Errorf(switchboard.ErrInvalid, "%q is not an amount that fits", s)
	}
	f, _ := strconv.Atoi((frac + "00")[:2])
	m := Money(w*100 + int64(f))
	if neg {
		m = -m
	}
	return m, nil
}
