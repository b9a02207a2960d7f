package channels

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/pgdb"
)

// Store reads and writes the channel side of interactions in Postgres.
// It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
}

// NewStore returns a Store on pool. now fixes "now" once per transaction;
// nil means time.Now.
func NewStore(pool *pgxpool.Pool, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{pool: pool, now: now}
}

// Pool is the pool the store writes to, for adapters' own queries.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now().UTC() }

// InTx runs fn in one transaction (pgdb.InTx) with "now" fixed for it.
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx, now time.Time) error) error {
	now := s.Now()
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error { return fn(tx, now) })
}

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

// CreateInteraction inserts in (its ID is set) and its first event, of kind
// "created", with data. in.CreatedAt is now.
func CreateInteraction(ctx context.Context, tx pgx.Tx, now time.Time, in *switchboard.Interaction, language string, data map[string]any) error {
	if in.Tier == "" {
		in.Tier = switchboard.TierMass
	}
	in.CreatedAt = now
	var cust, sid any
	if in.CustomerID != 0 {
		cust = in.CustomerID
	}
	if in.ProviderSID != "" {
		sid = in.ProviderSID
	}
	path := in.IVRPath
	if path == nil {
		path = []string{}
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO interactions (channel, direction, state, customer_id, queue, tier, from_addr, to_addr, provider_sid, ivr_path, language, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		in.Channel, in.Direction, in.State, cust, in.Queue, in.Tier, in.From, in.To, sid, path, language, now).Scan(&in.ID)
	if err != nil {
		return fmt.Errorf("channels: create %s interaction: %w", in.Channel, pgdb.FormatError(err))
	}
	return AddEvent(ctx, tx, now, in.ID, "created", 0, data)
}

// AddEvent appends one interaction_events row.
func AddEvent(ctx context.Context, tx pgx.Tx, now time.Time, interactionID int64, kind string, agentID int64, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("channels: event %s: %w", kind, err)
	}
	var agent any
	if agentID != 0 {
		agent = agentID
	}
	_, err = tx.Exec(ctx, `INSERT INTO interaction_events (interaction_id, at, kind, agent_id, data) VALUES ($1, $2, $3, $4, $5)`,
		interactionID, now, kind, agent, b)
	if err != nil {
		return fmt.Errorf("channels: interaction %d event %s: %w", interactionID, kind, pgdb.FormatError(err))
	}
	return nil
}
