package customers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// ConsentUpdate is one opt-out or opt-in of the customers holding a
// number (consent_changes, and the opt-out columns of customers, are this
// package's), kept with its time and source so
// every later send can be justified.
type ConsentUpdate struct {
	CustomerID int64  // 0 when the number belongs to no known customer
	Phone      string // E.164
	Kind       string // sms, call or dnc
	OptedOut   bool
	Source     string // e.g. "sms:STOP", "sms:退订", "agent:7"
	Detail     string
}

// RecordConsent appends c to consent_changes (the view reads them as ConsentChange) and applies it to every
// customer with that number (customers.opt_out_sms for kind sms,
// opt_out_call for call, do_not_call for dnc), in tx.
func RecordConsent(ctx context.Context, tx pgx.Tx, now time.Time, c ConsentUpdate) error {
	var cust any
	if c.CustomerID != 0 {
		cust = c.CustomerID
	}
	_, err := tx.Exec(ctx, `INSERT INTO consent_changes (customer_id, phone, kind, opted_out, source, detail, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, cust, c.Phone, c.Kind, c.OptedOut, c.Source, c.Detail, now)
	if err != nil {
		return fmt.Errorf("customers: record consent: %w", pgdb.FormatError(err))
	}
	col := map[string]string{"sms": "opt_out_sms", "call": "opt_out_call", "dnc": "do_not_call"}[c.Kind]
	if col == "" {
		return switchboard.Errorf(switchboard.ErrInvalid, "unknown consent kind %q", c.Kind)
	}
	_, err = tx.Exec(ctx, `UPDATE customers SET `+col+` = $2, updated_at = $3 WHERE phone = $1 OR phone_alt = $1`, c.Phone, c.OptedOut, now)
	if err != nil {
		return fmt.Errorf("customers: apply consent: %w", pgdb.FormatError(err))
	}
	return nil
}

// SMSOptedOut reports whether texts to phone are refused: the number's
// latest SMS consent change is an opt-out (so a STOP from a number that
// belongs to no known customer is obeyed too), or a customer with that number
// has opted out of SMS by any route.
func SMSOptedOut(ctx context.Context, q pgdb.Querier, phone string) (bool, error) {
	var out bool
	err := q.QueryRow(ctx, `
		SELECT COALESCE(
		  (SELECT opted_out FROM consent_changes WHERE phone = $1 AND kind = 'sms' ORDER BY at DESC, id DESC LIMIT 1), false)
		  OR COALESCE((SELECT bool_or(opt_out_sms) FROM customers WHERE phone = $1 OR phone_alt = $1), false)`, phone).Scan(&out)
	if err != nil {
		return false, fmt.Errorf("customers: consent of %s: %w", phone, pgdb.FormatError(err))
	}
	return out, nil
}
