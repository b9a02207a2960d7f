package channels

import (
	"context"
	"encoding/json"
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
