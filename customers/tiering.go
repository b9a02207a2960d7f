package customers

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"switchboard/pgdb"
)

// Counts is how many customers are in each tier and layer. Its JSON is the
// exact document `switchboardctl tiers --json` prints, keys in rank order.
type Counts struct {
	ValueTier struct {
		Private  int64 `json:"private"`
		VIP      int64 `json:"vip"`
		Standard int64 `json:"standard"`
		Mass     int64 `json:"mass"`
	} `json:"value_tier"`
	ActivityLayer struct {
		Core    int64 `json:"core"`
		Active  int64 `json:"active"`
		Dormant int64 `json:"dormant"`
	} `json:"activity_layer"`
}

// Counts counts the customers of every tier and layer as last recomputed.
func (s *Service) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	v, a := &c.ValueTier, &c.ActivityLayer
	err := s.pool.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE value_tier = 'private'), count(*) FILTER (WHERE value_tier = 'vip'),
			count(*) FILTER (WHERE value_tier = 'standard'), count(*) FILTER (WHERE value_tier = 'mass'),
			count(*) FILTER (WHERE activity_layer = 'core'), count(*) FILTER (WHERE activity_layer = 'active'),
			count(*) FILTER (WHERE activity_layer = 'dormant')
		FROM customers`).Scan(&v.Private, &v.VIP, &v.Standard, &v.Mass, &a.Core, &a.Active, &a.Dormant)
	if err != nil {
		return Counts{}, fmt.Errorf("customers: count tiers: %w", err)
	}
	return c, nil
}

// recomputeSQL assigns every customer the first tier and layer, by rank,
// whose conditions it meets, writes only the rows that change and records
// each change: one statement over the whole table. $1 is now, $2 the reason.
const recomputeSQL = `
WITH target AS (
	SELECT c.id, c.value_tier AS from_tier, c.activity_layer AS from_layer,
		coalesce((SELECT v.tier FROM tier_policy_value v
			WHERE c.aum >= v.min_aum AND c.profit_12m >= v.min_profit
			ORDER BY v.rank LIMIT 1), 'mass') AS to_tier,
		coalesce((SELECT a.layer FROM tier_policy_activity a
			WHERE c.last_txn_at >= $1::timestamptz - make_interval(days => a.max_idle_days)
				AND c.txn_count_90d >= a.min_txn_90d
			ORDER BY a.rank LIMIT 1), 'dormant') AS to_layer
	FROM customers c
), changed AS (
	UPDATE customers c SET value_tier = t.to_tier, activity_layer = t.to_layer, updated_at = $1
	FROM target t
	WHERE c.id = t.id AND (t.from_tier, t.from_layer) IS DISTINCT FROM (t.to_tier, t.to_layer)
	RETURNING c.id, t.from_tier, t.to_tier, t.from_layer, t.to_layer
)
INSERT INTO tier_changes (customer_id, changed_at, from_tier, to_tier, from_layer, to_layer, reason)
SELECT id, $1, from_tier, to_tier, from_layer, to_layer, $2 FROM changed`

// recomputeLock serialises recomputes across processes, so two operators
// cannot record the same change twice.
const recomputeLock = `SELECT pg_advisory_xact_lock(hashtext('switchboard.customers.recompute'))`

// Recompute applies the tiering policy to every customer in one transaction
// and returns how many customers changed tier or layer; each change is in
// tier_changes with reason ("recompute" when empty).
func (s *Service) Recompute(ctx context.Context, reason string) (int64, error) {
	if reason == "" {
		reason = "recompute"
	}
	var n int64
	err := pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, recomputeLock); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, recomputeSQL, s.now().UTC(), reason)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("customers: recompute tiers: %w", pgdb.FormatError(err))
	}
	return n, nil
}

// Policy returns the tiering policy in force.
func (s *Service) Policy(ctx context.Context) (Policy, error) {
	p, err := readPolicy(ctx, s.pool, "")
	if err != nil {
		return Policy{}, fmt.Errorf("customers: read tier policy: %w", err)
	}
	return p, nil
}

// querier is what readPolicy needs of a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func readPolicy(ctx context.Context, q querier, lock string) (Policy, error) {
	var p Policy
	rows, err := q.Query(ctx, `SELECT tier, rank, (min_aum * 100)::bigint, (min_profit * 100)::bigint
		FROM tier_policy_value ORDER BY rank `+lock)
	if err != nil {
		return p, err
	}
	p.Value, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ValueRule, error) {
		var v ValueRule
		return v, r.Scan(&v.Tier, &v.Rank, &v.MinAUM, &v.MinProfit)
	})
	if err != nil {
		return p, err
	}
	rows, err = q.Query(ctx, `SELECT layer, rank, max_idle_days, min_txn_90d FROM tier_policy_activity ORDER BY rank `+lock)
	if err != nil {
		return p, err
	}
	p.Activity, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ActivityRule, error) {
		var a ActivityRule
		return a, r.Scan(&a.Layer, &a.Rank, &a.MaxIdleDays, &a.MinTxn90d)
	})
	return p, err
}

// SetValuePolicy changes one value tier's thresholds, for example
// "private:min_aum=8000000,min_profit=30000"; fields not named keep their
// value. It returns ErrInvalid for a malformed change, for mass (the
// catch-all), and for a change that makes a higher tier easier to reach than
// a lower one; then nothing changes. The new thresholds apply at the next
// Recompute.
func (s *Service) SetValuePolicy(ctx context.Context, change string) (Policy, error) {
	return s.setPolicy(ctx, change, applyValue, func(tx pgx.Tx, p Policy) error {
		for _, r := range p.Value {
			if _, err := tx.Exec(ctx, `UPDATE tier_policy_value SET min_aum = $2::bigint / 100.0, min_profit = $3::bigint / 100.0
				WHERE tier = $1 AND (min_aum, min_profit) IS DISTINCT FROM ($2::bigint / 100.0, $3::bigint / 100.0)`,
				r.Tier, int64(r.MinAUM), int64(r.MinProfit)); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetActivityPolicy changes one activity layer's conditions, for example
// "core:max_idle_days=30,min_txn_90d=15", with the same rules as
// SetValuePolicy (dormant is the catch-all).
func (s *Service) SetActivityPolicy(ctx context.Context, change string) (Policy, error) {
	return s.setPolicy(ctx, change, applyActivity, func(tx pgx.Tx, p Policy) error {
		for _, r := range p.Activity {
			if _, err := tx.Exec(ctx, `UPDATE tier_policy_activity SET max_idle_days = $2, min_txn_90d = $3
				WHERE layer = $1`, r.Layer, r.MaxIdleDays, r.MinTxn90d); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) setPolicy(ctx context.Context, change string, apply func(Policy, spec) error, write func(pgx.Tx, Policy) error) (Policy, error) {
	sp, err := parseSpec(change)
	if err != nil {
		return Policy{}, fmt.Errorf("customers: set tier policy: %w", err)
	}
	var p Policy
	err = pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		if p, err = readPolicy(ctx, tx, "FOR UPDATE"); err != nil {
			return err
		}
		if err := apply(p, sp); err != nil {
			return err
		}
		return write(tx, p)
	})
	if err != nil {
		return Policy{}, fmt.Errorf("customers: set tier policy: %w", pgdb.FormatError(err))
	}
	return p, nil
}
