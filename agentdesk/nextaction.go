package agentdesk

import (
	"context"
	"fmt"
	"time"

	"switchboard"
	"switchboard/customers"
)

// Alert is a recent event from the bank's systems about the customer, such
// as a large withdrawal.
type Alert struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	Amount     string    `json:"amount,omitempty"` // decimal, as the bank sent it
	Currency   string    `json:"currency"`
	OccurredAt time.Time `json:"occurred_at"`
	Source     string    `json:"source,omitempty"`
}

// alertWindow is how far back an alert is still news to the agent.
const alertWindow = 30 * 24 * time.Hour

// alerts returns the customer's alerts of the last 30 days, newest first.
func (d *Desk) alerts(ctx context.Context, customerID int64) ([]Alert, error) {
	rows, err := d.deps.Pool.Query(ctx, `
		SELECT id, kind, COALESCE(amount::text, ''), currency, occurred_at, source
		FROM customer_events
		WHERE customer_id = $1 AND occurred_at > $2
		ORDER BY occurred_at DESC LIMIT 10`, customerID, d.cfg.Now().Add(-alertWindow))
	if err != nil {
		return nil, fmt.Errorf("alerts of customer %d: %w", customerID, err)
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		var a Alert
		if err := rows.Scan(&a.ID, &a.Kind, &a.Amount, &a.Currency, &a.OccurredAt, &a.Source); err != nil {
			return nil, fmt.Errorf("alerts of customer %d: %w", customerID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

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
func nextActions(v *customers.View, alerts []Alert, now time.Time) []Action {
	out := []Action{}
	if v.Risk.Flag != "" {
		out = append(out, Action{Code: "check_risk_flag", Why: "risk_" + v.Risk.Flag})
	}
	for _, c := range v.Complaints {
		out = append(out, Action{Code: "follow_up_complaint", Why: "open_complaint", Ref: c.ID})
	}
	high := v.Customer.ValueTier == switchboard.TierPrivate || v.Customer.ValueTier == switchboard.TierVIP
	for _, a := range alerts {
		switch {
		case a.Kind == "large_withdrawal" && high:
			out = append(out, Action{Code: "wealth_review", Why: "large_withdrawal", Ref: a.ID})
		case a.Kind == "large_withdrawal":
			out = append(out, Action{Code: "ask_withdrawal", Why: "large_withdrawal", Ref: a.ID})
		case a.Kind == "assets_dropped":
			out = append(out, Action{Code: "portfolio_review", Why: "assets_dropped", Ref: a.ID})
		case a.Kind == "birthday":
			out = append(out, Action{Code: "birthday_greeting", Why: "birthday", Ref: a.ID})
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
