package interactions

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// IVRAnswer is one answer a caller gave the voice menu: the language, or
// the queue, it chose.
type IVRAnswer struct {
	Digits   string // the keys pressed; "" when none were (the default was taken)
	Language string // the language chosen, for the language question
	Queue    string // the queue chosen, for the intent question
}

// RecordIVR stores an answer to the voice menu on interaction id: the
// language (or else the queue) it chose, its step on the IVR path
// ("lang:zh", "intent:cards"), and a KindIVR event with the keys pressed.
// Choosing the queue does not queue the call; StoreAndQueue does that.
func RecordIVR(ctx context.Context, tx pgx.Tx, now time.Time, id int64, a IVRAnswer) error {
	sql := `UPDATE interactions SET queue = $2, ivr_path = ivr_path || $3 WHERE id = $1`
	set, step := a.Queue, "intent:"+a.Queue
	data := map[string]any{"step": "intent", "digits": a.Digits, "queue": a.Queue}
	if a.Language != "" {
		sql = `UPDATE interactions SET language = $2, ivr_path = ivr_path || $3 WHERE id = $1`
		set, step = a.Language, "lang:"+a.Language
		data = map[string]any{"step": "language", "digits": a.Digits, "language": a.Language}
	}
	if _, err := tx.Exec(ctx, sql, id, set, []string{step}); err != nil {
		return fmt.Errorf("interactions: IVR answer of %d: %w", id, pgdb.FormatError(err))
	}
	return AddEvent(ctx, tx, now, id, KindIVR, 0, data)
}

// RequestCallback marks a waiting call (queued or offered, past the IVR)
// for a callback to its caller's number, with a KindCallbackRequested
// event naming to; false if the call is no longer waiting.
func RequestCallback(ctx context.Context, tx pgx.Tx, now time.Time, id int64, to string) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE interactions SET callback_to = from_addr
		WHERE id = $1 AND state IN ('queued', 'offered') AND queue <> ''`, id)
	if err != nil {
		return false, fmt.Errorf("interactions: callback for %d: %w", id, pgdb.FormatError(err))
	}
	if tag.RowsAffected() != 1 {
		return false, nil
	}
	return true, AddEvent(ctx, tx, now, id, KindCallbackRequested, 0, map[string]any{"to": to})
}

// SetDisposition records the outcome code of interaction id, replacing
// any before (a campaign contact's disposition is its call's).
func SetDisposition(ctx context.Context, tx pgx.Tx, id int64, code string) error {
	if _, err := tx.Exec(ctx, `UPDATE interactions SET disposition = $2 WHERE id = $1`, id, code); err != nil {
		return fmt.Errorf("interactions: disposition of %d: %w", id, pgdb.FormatError(err))
	}
	return nil
}

// SetFirstDisposition records the outcome code of interaction id unless
// one is recorded, and reports whether it did: an agent's wrap-up sent
// again after a failure is written once.
func SetFirstDisposition(ctx context.Context, tx pgx.Tx, id int64, code string) (bool, error) {
	tag, err := tx.Exec(ctx, `UPDATE interactions SET disposition = $2 WHERE id = $1 AND disposition = ''`, id, code)
	if err != nil {
		return false, fmt.Errorf("interactions: wrap-up %d: %w", id, pgdb.FormatError(err))
	}
	return tag.RowsAffected() == 1, nil
}

// LinkCustomer links unidentified interaction id to the customer the agent
// found (of tier), with a KindCustomerLinked event. ErrConflict if the
// interaction is linked to a customer already.
func LinkCustomer(ctx context.Context, tx pgx.Tx, now time.Time, id, agentID, customerID int64, tier switchboard.ValueTier) error {
	tag, err := tx.Exec(ctx, `UPDATE interactions SET customer_id = $2 WHERE id = $1 AND customer_id IS NULL`, id, customerID)
	if err != nil {
		return fmt.Errorf("interactions: link %d: %w", id, pgdb.FormatError(err))
	}
	if tag.RowsAffected() == 0 {
		return switchboard.Errorf(switchboard.ErrConflict, "interaction %d is already linked to a customer", id)
	}
	data := map[string]any{"customer_id": customerID, "customer_tier": tier}
	return AddEvent(ctx, tx, now, id, KindCustomerLinked, agentID, data)
}
