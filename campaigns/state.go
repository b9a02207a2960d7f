package campaigns

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
)

// Move changes campaign id's state. Moving a draft to scheduled builds its
// audience in the same transaction and returns its size; an impossible move
// returns ErrConflict and changes nothing.
func (s *Store) Move(ctx context.Context, id int64, to State) (audience int, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		c, err := lockCampaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if !c.State.CanMove(to) {
			return switchboard.Errorf(switchboard.ErrConflict, "campaign %d is %s and cannot become %s", id, c.State, to)
		}
		if to == Scheduled {
			if audience, err = buildAudience(ctx, tx, c, now); err != nil {
				return err
			}
			// A campaign that would contact nobody is a mistake in its
			// filters or list; it stays a draft to be corrected.
			if audience == 0 {
				return switchboard.Errorf(switchboard.ErrConflict,
					"campaign %d has no contacts: its audience matches no customer who may be contacted (check its filters or list)", id)
			}
		}
		if to == Draft {
			if _, err := tx.Exec(ctx, `DELETE FROM campaign_contacts WHERE campaign_id = $1 AND attempts = 0`, id); err != nil {
				return err
			}
		}
		return setState(ctx, tx, id, to, now)
	})
	if err != nil {
		return 0, fmt.Errorf("campaigns: move %d to %s: %w", id, to, err)
	}
	return audience, nil
}

func lockCampaign(ctx context.Context, tx pgx.Tx, id int64) (*Campaign, error) {
	c, err := scanCampaign(tx.QueryRow(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.Errorf(switchboard.ErrNotFound, "no campaign %d", id)
	}
	return c, err
}

func setState(ctx context.Context, tx pgx.Tx, id int64, to State, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE campaigns SET state = $2, updated_at = $3 WHERE id = $1`, id, to, now)
	return err
}

// buildAudience inserts the segment's customers as pending contacts,
// leaving out those already in another live campaign. The segment is
// selected into a temporary table first, because Postgres runs that query
// in parallel, which it never does for the SELECT of an INSERT; JIT is off
// because compiling costs more than it saves on this plan.
func buildAudience(ctx context.Context, tx pgx.Tx, c *Campaign, now time.Time) (int, error) {
	where, args := c.Audience.where(c.Channel, 2)
	if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
		return 0, err
	}
	_, err := tx.Exec(ctx, `CREATE TEMP TABLE audience ON COMMIT DROP AS
		SELECT c.id, c.phone FROM customers c
		WHERE `+where+`
		  AND NOT EXISTS (SELECT 1 FROM campaign_contacts o JOIN campaigns ok ON ok.id = o.campaign_id
		      WHERE o.customer_id = c.id AND o.campaign_id <> $1
		        AND o.state IN ('pending', 'dialing', 'offered')
		        AND ok.state IN ('scheduled', 'running', 'paused'))`, append([]any{c.ID}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("audience: %w", err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO campaign_contacts (campaign_id, customer_id, phone, next_at, updated_at)
		SELECT $1, a.id, a.phone, greatest($2::timestamptz, $3::timestamptz), $2 FROM audience a
		ON CONFLICT (campaign_id, customer_id) DO NOTHING`, c.ID, now, c.StartsAt)
	if err != nil {
		return 0, fmt.Errorf("audience: %w", err)
	}
	if _, err := tx.Exec(ctx, `DROP TABLE audience`); err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// advance starts scheduled campaigns whose start has come and completes
// running or paused ones whose end has passed. Every dialer runs it; the
// updates are idempotent.
func (s *Store) advance(ctx context.Context) error {
	now := s.Now()
	_, err := s.pool.Exec(ctx, `UPDATE campaigns SET state = CASE
			WHEN ends_at <= $1 THEN 'completed' ELSE 'running' END, updated_at = $1
		WHERE (state = 'scheduled' AND starts_at <= $1) OR (state IN ('running', 'paused') AND ends_at <= $1)`, now)
	if err != nil {
		return fmt.Errorf("campaigns: advance: %w", err)
	}
	return nil
}
