package agentdesk

import (
	"time"

	"switchboard"
	"switchboard/customers"
)

// Action is a suggested next step, with the rule that suggested it in Why
// so the agent can see the reason. Codes and reasons are translated by the
// desk; Ref names the complaint, account or alert concerned.
type Action struct {
	Code string `json:"code"`
	Why  string `json:"why"`
	Ref  int64  `json:"ref,omitempty"`
}

// nextActions applies the desk's rules, most urgent first: a risk flag
// before anything is done for the customer, then open complaints, then
// alerts, then the lifecycle.
func nextActions(v *customers.View, now time.Time) []Action {
	out := []Action{}
	if v.Risk.Flag != "" {
		out = append(out, Action{Code: "check_risk_flag", Why: "risk_" + v.Risk.Flag})
	}
	for _, c := range v.Complaints {
		out = append(out, Action{Code: "follow_up_complaint", Why: "open_complaint", Ref: c.ID})
	}
	high := v.Customer.ValueTier == switchboard.TierPrivate || v.Customer.ValueTier == switchboard.TierVIP
	for _, a := range v.Alerts {
		switch {
		case a.Kind == "large_withdrawal" && high:
			out = append(out, Action{Code: "wealth_review", Why: "large_withdrawal"})
		case a.Kind == "large_withdrawal":
			out = append(out, Action{Code: "ask_withdrawal", Why: "large_withdrawal"})
		case a.Kind == "assets_dropped":
			out = append(out, Action{Code: "portfolio_review", Why: "assets_dropped"})
		case a.Kind == "birthday":
			out = append(out, Action{Code: "birthday_greeting", Why: "birthday"})
		}
	}
	for _, acc := range v.Accounts {
		if acc.MaturesAt != nil && acc.MaturesAt.After(now) && acc.MaturesAt.Before(now.Add(30*24*time.Hour)) {
			out = append(out, Action{Code: "offer_renewal", Why: "deposit_maturing", Ref: acc.ID})
		}
	}
	if v.Customer.ActivityLayer == switchboard.LayerDormant {
		out = append(out, Action{Code: "reactivation_offer", Why: "dormant"})
	}
	if len(out) == 0 {
		out = append(out, Action{Code: "serve_request", Why: "no_rule"})
	}
	return out
}
