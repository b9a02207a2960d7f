package channels

import (
	"context"
	"errors"
	"fmt"

	"switchboard"
	"switchboard/pgdb"
)

// Customer is what a channel needs to know about the person on the line.
type Customer struct {
	ID        int64
	Name      string
	Tier      switchboard.ValueTier
	Language  string // zh or en
	OptOutSMS bool
	RMID      int64  // the relationship manager, whom routing tries first
	Phone     string // the main number on file, E.164 ("" if none)
}

// CustomerByPhone finds the customer whose phone or phone_alt is e164. It
// returns an error wrapping switchboard.ErrNotFound for an unknown number.
// When two customers share a number the one whose main phone it is wins,
// then the oldest.
func CustomerByPhone(ctx context.Context, q Querier, e164 string) (Customer, error) {
	var c Customer
	err := q.QueryRow(ctx, `
		SELECT id, name, value_tier, language, opt_out_sms, COALESCE(rm_id, 0), COALESCE(phone, '') FROM customers
		WHERE phone = $1 OR phone_alt = $1
		ORDER BY (phone = $1) DESC, id LIMIT 1`, e164).
		Scan(&c.ID, &c.Name, &c.Tier, &c.Language, &c.OptOutSMS, &c.RMID, &c.Phone)
	if err != nil {
		return Customer{}, fmt.Errorf("channels: customer by phone: %w", pgdb.FormatError(err))
	}
	return c, nil
}

// CustomerByID reads one customer; ErrNotFound if there is none.
func CustomerByID(ctx context.Context, q Querier, id int64) (Customer, error) {
	var c Customer
	err := q.QueryRow(ctx, `SELECT id, name, value_tier, language, opt_out_sms, COALESCE(rm_id, 0), COALESCE(phone, '') FROM customers WHERE id = $1`, id).
		Scan(&c.ID, &c.Name, &c.Tier, &c.Language, &c.OptOutSMS, &c.RMID, &c.Phone)
	if err != nil {
		return Customer{}, fmt.Errorf("channels: customer %d: %w", id, pgdb.FormatError(err))
	}
	return c, nil
}

// Identify is CustomerByPhone that treats an unknown number as an
// unidentified contact: the zero Customer (ID 0, tier mass) and no error.
func Identify(ctx context.Context, q Querier, e164 string) (Customer, error) {
	c, err := CustomerByPhone(ctx, q, e164)
	if errors.Is(err, switchboard.ErrNotFound) {
		return Customer{Tier: switchboard.TierMass}, nil
	}
	return c, err
}
