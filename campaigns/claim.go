package campaigns

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Claim is a contact taken by one dialer, with its live attempt recorded.
type Claim struct {
	AttemptID  int64
	ContactID  int64
	CustomerID int64
	Phone      string
	Attempt    int // this attempt's number, from 1
}

// claimNext takes the next due contact of campaign c, runs the gates and
// records the outcome, all in one transaction: a live attempt when the
// contact may be made (returned), or a skip with its reason. It returns
// ok=false when no contact is due. Contacts locked by another dialer are
// skipped over (FOR UPDATE SKIP LOCKED), so dialers never wait on each
// other and never take the same contact.
//
// The number gated, dialled and recorded is the customer's number now,
// not the one the audience copied: a customer who changed numbers is not
// rung on a number that may be someone else's by now, and every gate (the
// DNC list, opt-outs by number) judges the number actually dialled. The
// contact keeps that number, so its disposition (do-not-call) lists it.
//
// With previewAgent set, a contact the gates allow is not dialled but
// reserved for that agent as a preview task in the agent's desk; the agent
// dials it (DialTask), and the gates run again then.
func (s *Store) claimNext(ctx context.Context, g Gate, node string, c *Campaign, previewAgent int64) (cl Claim, r Reason, ok bool, err error) {
	err = s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		var attempts int
		var disposition string
		var copied string
		err := tx.QueryRow(ctx, `SELECT k.id, k.customer_id, k.phone, coalesce(u.phone, ''), k.attempts, k.disposition
			FROM campaign_contacts k JOIN customers u ON u.id = k.customer_id
			WHERE k.campaign_id = $1 AND k.state = 'pending' AND k.next_at <= $2
			ORDER BY k.next_at, k.id LIMIT 1 FOR UPDATE OF k SKIP LOCKED`, c.ID, now).
			Scan(&cl.ContactID, &cl.CustomerID, &copied, &cl.Phone, &attempts, &disposition)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		if err := contactNumber(ctx, tx, cl.ContactID, copied, cl.Phone); err != nil {
			return err
		}
		req := Request{CustomerID: cl.CustomerID, Phone: cl.Phone, Channel: c.Channel, Marketing: true, Campaign: c,
			Attempts: attempts, Callback: disposition == Callback}
		var next time.Time
		if r, next, err = g.check(ctx, tx, now, req); err != nil {
			return err
		}
		if r == ReasonNone && previewAgent != 0 {
			return reservePreview(ctx, tx, now, c, cl, previewAgent)
		}
		if r == ReasonNone {
			cl.Attempt = attempts + 1
			cl.AttemptID, r, next, err = startAttempt(ctx, tx, now, node, c, cl)
			if err != nil || r == ReasonNone {
				return err
			}
		}
		return skip(ctx, tx, now, node, c, cl, r, next)
	})
	if err != nil {
		return Claim{}, "", false, fmt.Errorf("campaigns: claim in campaign %d: %w", c.ID, err)
	}
	return cl, r, ok, nil
}

// startAttempt records a live attempt and moves the contact to dialing. The
// unique index on live attempts per customer refuses a second concurrent
// one, from any process: that is a skip, in_progress.
func startAttempt(ctx context.Context, tx pgx.Tx, now time.Time, node string, c *Campaign, cl Claim) (int64, Reason, time.Time, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO outreach_attempts (campaign_id, contact_id, customer_id, phone, channel,
			marketing, at, result, live, node)
		VALUES ($1, $2, $3, $4, $5, true, $6, 'dialing', true, $7)
		ON CONFLICT (customer_id) WHERE live DO NOTHING RETURNING id`,
		c.ID, cl.ContactID, cl.CustomerID, cl.Phone, c.Channel, now, node).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, ReasonInProgress, now.Add(10 * time.Minute), nil
	}
	if err != nil {
		return 0, "", time.Time{}, err
	}
	_, err = tx.Exec(ctx, `UPDATE campaign_contacts SET state = 'dialing', attempts = attempts + 1, updated_at = $2
		WHERE id = $1`, cl.ContactID, now)
	return id, ReasonNone, time.Time{}, err
}

// skip records why a contact was not made and when to look at it again;
// with no such time the contact is finished with the reason as its outcome.
func skip(ctx context.Context, tx pgx.Tx, now time.Time, node string, c *Campaign, cl Claim, r Reason, next time.Time) error {
	_, err := tx.Exec(ctx, `INSERT INTO outreach_attempts (campaign_id, contact_id, customer_id, phone, channel,
			marketing, at, result, reason, node)
		VALUES ($1, $2, $3, $4, $5, true, $6, 'skipped', $7, $8)`,
		c.ID, cl.ContactID, cl.CustomerID, cl.Phone, c.Channel, now, r, node)
	if err != nil {
		return err
	}
	if next.IsZero() {
		_, err = tx.Exec(ctx, `UPDATE campaign_contacts SET state = 'failed', outcome = $2, updated_at = $3
			WHERE id = $1`, cl.ContactID, r, now)
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE campaign_contacts SET next_at = $2, updated_at = $3 WHERE id = $1`, cl.ContactID, next, now)
	return err
}

// reservePreview gives the contact to agent as a preview task, due now.
func reservePreview(ctx context.Context, tx pgx.Tx, now time.Time, c *Campaign, cl Claim, agent int64) error {
	_, err := tx.Exec(ctx, `UPDATE campaign_contacts SET state = 'offered', updated_at = $2 WHERE id = $1`, cl.ContactID, now)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO outbound_tasks (kind, agent_id, customer_id, campaign_id, contact_id, title, due_at, created_at)
		VALUES ('preview_call', $1, $2, $3, $4, $5, $6, $6)`, agent, cl.CustomerID, c.ID, cl.ContactID, c.Name, now)
	return err
}

// contactNumber records on contact id the number it is about to be reached
// on, when it differs from the copied one (and the customer has one).
func contactNumber(ctx context.Context, tx pgx.Tx, id int64, copied, now string) error {
	if now == "" || now == copied {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE campaign_contacts SET phone = $2 WHERE id = $1`, id, now)
	return err
}
