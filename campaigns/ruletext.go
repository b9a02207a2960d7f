package campaigns

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
)

// ruleText is a queued text of an sms outreach rule, claimed for sending.
type ruleText struct {
	id, eventID, ruleID int64
	template            string
	claim               Claim // AttemptID 0: not to be sent now
}

// sendRuleTexts sends the outreach rules' texts that are due, each past the
// same gates as an SMS campaign's (opt-outs by customer and by number, the
// DNC list, the calling window and holidays in the customer's time zone). A
// text the gates hold back for now waits until they may allow it; one they
// refuse for good is skipped with the reason. Either way the decision is an
// outreach attempt. It returns how many texts it decided on.
//
// A text is claimed (state sending) in the transaction that records its
// live attempt, before Twilio is asked, so no process sends it twice; a
// process that dies between the two leaves it unsent rather than sent
// twice.
func (d *Dialer) sendRuleTexts(ctx context.Context) (int, error) {
	decided := 0
	for ; decided < d.cfg.Decisions; decided++ {
		rt, ok, err := d.store.claimRuleText(ctx, d.cfg.Gate, d.cfg.Node)
		if err != nil || !ok {
			return decided, err
		}
		if rt.claim.AttemptID == 0 {
			continue
		}
		data := map[string]any{"event_id": rt.eventID, "rule_id": rt.ruleID, "attempt_id": rt.claim.AttemptID}
		sent, err := d.sendText(ctx, rt.claim, "", rt.template, data)
		if err != nil {
			return decided + 1, err
		}
		state, reason := "sent", ""
		if !sent {
			state, reason = "skipped", "failed"
		}
		_, err = d.store.pool.Exec(ctx, `UPDATE outreach_texts SET state = $2, reason = $3 WHERE id = $1`, rt.id, state, reason)
		if err != nil {
			return decided + 1, fmt.Errorf("campaigns: rule text %d: %w", rt.id, err)
		}
	}
	return decided, nil
}

// claimRuleText takes the next due rule text and runs the gates on the
// customer's number as it is now, in one transaction: a live attempt when
// the text may go (returned in claim), or a skip, which defers the text to
// when it may or ends it. ok is false when no text is due.
func (s *Store) claimRuleText(ctx context.Context, g Gate, node string) (rt ruleText, ok bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		cl := &rt.claim
		err := tx.QueryRow(ctx, `SELECT t.id, t.event_id, t.rule_id, r.template, t.customer_id, coalesce(c.phone, '')
			FROM outreach_texts t JOIN outreach_rules r ON r.id = t.rule_id JOIN customers c ON c.id = t.customer_id
			WHERE t.state = 'pending' AND t.due_at <= $1 ORDER BY t.due_at, t.id LIMIT 1 FOR UPDATE OF t SKIP LOCKED`, now).
			Scan(&rt.id, &rt.eventID, &rt.ruleID, &rt.template, &cl.CustomerID, &cl.Phone)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		req := Request{CustomerID: cl.CustomerID, Phone: cl.Phone, Channel: switchboard.ChannelSMS}
		r, next, err := g.check(ctx, tx, now, req)
		if err != nil {
			return err
		}
		if r == ReasonNone {
			err = tx.QueryRow(ctx, `INSERT INTO outreach_attempts (customer_id, phone, channel, marketing, at, result, live, node)
				VALUES ($1, $2, 'sms', false, $3, 'dialing', true, $4)
				ON CONFLICT (customer_id) WHERE live DO NOTHING RETURNING id`, cl.CustomerID, cl.Phone, now, node).Scan(&cl.AttemptID)
			if errors.Is(err, pgx.ErrNoRows) {
				r, next, err = ReasonInProgress, now.Add(10*time.Minute), nil
			}
			if err != nil {
				return err
			}
		}
		if r == ReasonNone {
			_, err = tx.Exec(ctx, `UPDATE outreach_texts SET state = 'sending', attempt_id = $2 WHERE id = $1`, rt.id, cl.AttemptID)
			return err
		}
		return skipRuleText(ctx, tx, now, node, rt, r, next)
	})
	if err != nil {
		return ruleText{}, false, fmt.Errorf("campaigns: claim rule text: %w", err)
	}
	return rt, ok, nil
}

// skipRuleText records the gates' refusal of rt and defers the text to next,
// or, with no such time, ends it with the reason.
func skipRuleText(ctx context.Context, tx pgx.Tx, now time.Time, node string, rt ruleText, r Reason, next time.Time) error {
	var attempt int64
	err := tx.QueryRow(ctx, `INSERT INTO outreach_attempts (customer_id, phone, channel, marketing, at, result, reason, node)
		VALUES ($1, $2, 'sms', false, $3, 'skipped', $4, $5) RETURNING id`,
		rt.claim.CustomerID, rt.claim.Phone, now, r, node).Scan(&attempt)
	if err != nil {
		return err
	}
	if next.IsZero() {
		_, err = tx.Exec(ctx, `UPDATE outreach_texts SET state = 'skipped', reason = $2, attempt_id = $3 WHERE id = $1`, rt.id, r, attempt)
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE outreach_texts SET due_at = $2, reason = $3 WHERE id = $1`, rt.id, next, r)
	return err
}
