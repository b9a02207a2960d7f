package twiliosms

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard/channels"
	"switchboard/pgdb"
)

// reopenCampaignThread joins a customer's text to the SMS interaction a
// campaign recorded when it texted that number within the thread window:
// the reply ("yes, call me about the deposit") is read with the campaign's
// message above it, not as an unrelated conversation. The interaction is
// queued again, to be routed like a new thread, and the reopening is
// recorded in its history. found is false when there is no such text.
func (c *Channel) reopenCampaignThread(ctx context.Context, tx pgx.Tx, now time.Time, in inbound, cust channels.Customer) (channels.Live, bool, error) {
	var id int64
	err := tx.QueryRow(ctx, `SELECT i.id FROM interactions i
		WHERE i.channel = 'sms' AND i.from_addr = $1 AND i.direction = 'outbound' AND i.state = 'done'
		  AND i.end_reason = 'campaign_sms'
		  AND COALESCE((SELECT max(m.created_at) FROM messages m WHERE m.interaction_id = i.id), i.created_at) > $2
		ORDER BY i.created_at DESC LIMIT 1 FOR UPDATE`, in.From, now.Add(-c.cfg.ThreadWindow)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return channels.Live{}, false, nil
	}
	if err != nil {
		return channels.Live{}, false, fmt.Errorf("twiliosms: campaign thread of %s: %w", in.From, pgdb.FormatError(err))
	}
	_, err = tx.Exec(ctx, `WITH up AS (UPDATE interactions SET state = 'queued', queue = $2, tier = $3,
			customer_id = COALESCE(customer_id, $4), ended_at = NULL, end_reason = '' WHERE id = $1)
		INSERT INTO interaction_events (interaction_id, at, kind, data)
		VALUES ($1, $5, 'reopened', jsonb_build_object('reason', 'campaign_reply', 'message_sid', $6::text))`,
		id, c.cfg.Queue, cust.Tier, nilIfZero(cust.ID), now, in.MessageSID)
	if err != nil {
		return channels.Live{}, false, fmt.Errorf("twiliosms: reopen campaign thread %d: %w", id, pgdb.FormatError(err))
	}
	l, err := channels.LoadInteraction(ctx, tx, id, false)
	return l, err == nil, err
}

func nilIfZero(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
