package customers

import (
	"context"
	_ "embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/pgdb"
)

// Identity is what a channel and routing need to know about the person on
// the other end of a contact. The zero Identity with tier mass (see
// Unidentified) is a contact no customer could be found for.
type Identity struct {
	ID        int64
	Name      string
	Tier      switchboard.ValueTier
	Language  string // zh or en
	OptOutSMS bool
	RMID      int64  // the relationship manager, whom routing tries first
	Phone     string // the main number on file, E.164 ("" if none)
}

// Unidentified is the Identity of a contact from no known customer.
func Unidentified() Identity { return Identity{Tier: switchboard.TierMass} }

const identityColumns = `id, name, value_tier, language, opt_out_sms, coalesce(rm_id, 0), coalesce(phone, '')`

func scanIdentity(row pgx.Row) (Identity, error) {
	var c Identity
	err := row.Scan(&c.ID, &c.Name, &c.Tier, &c.Language, &c.OptOutSMS, &c.RMID, &c.Phone)
	return c, err
}

// ByPhone is the customer who owns the number e164: when customers share
// it, the one whose main phone it is wins over those who have it as
// alternative phone, then the oldest (customer_by_phone.sql, the one
// statement of the rule). It returns an error wrapping ErrNotFound for a
// number no customer has.
func ByPhone(ctx context.Context, q pgdb.Querier, e164 string) (Identity, error) {
	c, err := scanIdentity(q.QueryRow(ctx, `SELECT `+identityColumns+` FROM customer_by_phone($1)`, e164))
	if err != nil {
		return Identity{}, fmt.Errorf("customers: customer by phone: %w", pgdb.FormatError(err))
	}
	return c, nil
}

// Identify is ByPhone that takes an unknown number for an unidentified
// contact: Unidentified() and no error.
func Identify(ctx context.Context, q pgdb.Querier, e164 string) (Identity, error) {
	c, err := ByPhone(ctx, q, e164)
	if errors.Is(err, switchboard.ErrNotFound) {
		return Unidentified(), nil
	}
	return c, err
}

// ByID reads customer id; an error wrapping ErrNotFound if there is none.
func ByID(ctx context.Context, q pgdb.Querier, id int64) (Identity, error) {
	c, err := scanIdentity(q.QueryRow(ctx, `SELECT `+identityColumns+` FROM customers WHERE id = $1`, id))
	if err != nil {
		return Identity{}, fmt.Errorf("customers: customer %d: %w", id, pgdb.FormatError(err))
	}
	return c, nil
}

//go:embed customer_by_phone.sql
var definitions string

// Prepare defines the Postgres functions the package's queries (and other
// packages' SQL) call: customer_by_phone. Every process calls it once the
// migrations are applied, before it reads customers by phone; it is safe
// to call again and from many nodes at once (pgdb.Define).
func Prepare(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pgdb.Define(ctx, pool, definitions); err != nil {
		return fmt.Errorf("customers: prepare: %w", err)
	}
	return nil
}
