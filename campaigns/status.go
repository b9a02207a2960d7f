package campaigns

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Status is told that call attempt id ended with Twilio's CallStatus
// (completed, busy, no-answer, failed, canceled). It closes the attempt and
// decides the contact: retried after the campaign's delay for its outcome,
// finished when the attempts are used up, or left for the agent's
// disposition when an agent talked to the customer. A customer who hung up
// while waiting for an agent is an abandoned call.
func (d *Dialer) Status(ctx context.Context, id int64, sid, status string) error {
	var withdraw int64
	err := d.store.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		a, err := lockAttempt(ctx, tx, id)
		if err != nil || !a.Live {
			return err
		}
		result := a.Result
		switch {
		case a.Result == "dialing":
			result = map[string]string{"busy": "busy", "no-answer": "no_answer", "canceled": "no_answer"}[status]
			if result == "" {
				result = "failed"
			}
		case a.Result == "answered":
			result, withdraw = "abandoned", a.InteractionID
		}
		return closeAttempt(ctx, tx, now, a, result, status)
	})
	if err != nil {
		return fmt.Errorf("campaigns: status %s of attempt %d: %w", status, id, err)
	}
	if withdraw != 0 && d.Unroute != nil {
		return d.Unroute(ctx, withdraw, "hangup")
	}
	return nil
}

// closeAttempt ends a live attempt with result and moves its contact on.
func closeAttempt(ctx context.Context, tx pgx.Tx, now time.Time, a attempt, result, detail string) error {
	_, err := tx.Exec(ctx, `UPDATE outreach_attempts SET live = false, result = $2, reason = $3, ended_at = $4
		WHERE id = $1`, a.ID, result, detail, now)
	if err != nil {
		return err
	}
	if err := reopenTask(ctx, tx, now, a, result); err != nil || a.ContactID == 0 {
		return err
	}
	c, err := attemptCampaign(ctx, tx, a)
	if err != nil {
		return err
	}
	return moveContact(ctx, tx, now, a.ContactID, c, result)
}

// reopenTask gives a task whose call reached nobody back to its agent: a
// triggered task stays open to try again; a campaign preview is done, and
// its contact goes back to the campaign for a retry.
func reopenTask(ctx context.Context, tx pgx.Tx, now time.Time, a attempt, result string) error {
	if a.TaskID == 0 || result == "connected" {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE outbound_tasks SET
			state = CASE WHEN campaign_id IS NULL THEN 'open' ELSE 'done' END,
			disposition = CASE WHEN campaign_id IS NULL THEN '' ELSE $2 END,
			done_at = CASE WHEN campaign_id IS NULL THEN NULL ELSE $3::timestamptz END
		WHERE id = $1 AND state = 'dialing'`, a.TaskID, result, now)
	return err
}

// moveContact decides a contact after an attempt's result.
func moveContact(ctx context.Context, tx pgx.Tx, now time.Time, contactID int64, c *Campaign, result string) error {
	var retry time.Duration
	switch result {
	case "connected":
		return nil // the agent's disposition decides
	case "voicemail", "delivered", "sent":
		_, err := tx.Exec(ctx, `UPDATE campaign_contacts SET state = 'done', outcome = $2, updated_at = $3
			WHERE id = $1`, contactID, result, now)
		return err
	case "busy":
		retry = c.Rules.RetryBusy
	case "machine":
		retry = c.Rules.RetryMachine
	default: // no answer, abandoned, failed, undelivered
		retry = c.Rules.RetryNoAnswer
	}
	_, err := tx.Exec(ctx, `UPDATE campaign_contacts SET outcome = $2, updated_at = $3,
			state = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'pending' END,
			next_at = $3::timestamptz + make_interval(secs => $5)
		WHERE id = $1`, contactID, result, now, c.Rules.MaxAttempts, retry.Seconds())
	return err
}

// endAttempt closes attempt id that never reached the customer.
func (s *Store) endAttempt(ctx context.Context, id int64, result, detail string) error {
	err := s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		a, err := lockAttempt(ctx, tx, id)
		if err != nil || !a.Live {
			return err
		}
		return closeAttempt(ctx, tx, now, a, result, detail)
	})
	if err != nil {
		return fmt.Errorf("campaigns: end attempt %d: %w", id, err)
	}
	return nil
}

// sweepAbandoned finds answered calls that waited longer than AnswerWait
// for an agent: each is abandoned, told so briefly, hung up on, withdrawn
// from routing and its contact retried. Every process sweeps; the row lock
// makes each call one process's.
func (d *Dialer) sweepAbandoned(ctx context.Context) error {
	for range 100 {
		var a attempt
		err := d.store.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM outreach_attempts WHERE live AND result = 'answered'
				AND answered_at <= $1 LIMIT 1 FOR UPDATE SKIP LOCKED`, now.Add(-d.cfg.AnswerWait)).Scan(&id)
			if err == pgx.ErrNoRows {
				return nil
			}
			if err != nil {
				return err
			}
			if a, err = lockAttempt(ctx, tx, id); err != nil {
				return err
			}
			return closeAttempt(ctx, tx, now, a, "abandoned", "no agent within the wait")
		})
		if err != nil || a.ID == 0 {
			return err
		}
		d.abandon(ctx, a)
	}
	return nil
}

// AbandonMessage is what an abandoned customer hears before the line drops.
const AbandonMessage = "We are sorry, all our advisers are busy. We will call you again. 抱歉，坐席繁忙，我们会再与您联系。"

func (d *Dialer) abandon(ctx context.Context, a attempt) {
	if a.SID != "" {
		if err := d.calls.HangUp(ctx, a.SID, AbandonMessage); err != nil {
			d.log.Warn("dialer: hang up abandoned call", "attempt", a.ID, "err", err)
		}
	}
	if d.Unroute != nil && a.InteractionID != 0 {
		if err := d.Unroute(ctx, a.InteractionID, "abandoned"); err != nil {
			d.log.Warn("dialer: withdraw abandoned call", "interaction", a.InteractionID, "err", err)
		}
	}
}
