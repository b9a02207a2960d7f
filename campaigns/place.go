package campaigns

import (
	"context"
	"fmt"
	"slices"
)

// place has the voice side (Calls.Place) call cl's customer, with
// answering-machine detection: the answer webhook comes once Twilio knows
// whether a person or a machine picked up, and the status callback when
// the call ends. A refused request ends the attempt as failed and the
// contact is retried.
func (d *Dialer) place(ctx context.Context, from string, cl Claim) error {
	from, ok := d.bankNumber(from)
	if !ok {
		d.log.Warn("dialer: caller id is not one of the bank's numbers", "attempt", cl.AttemptID, "caller_id", from)
		return d.store.endAttempt(ctx, cl.AttemptID, "failed", "caller id "+from+" is not one of the bank's numbers")
	}
	sid, err := d.calls.Place(ctx, cl.AttemptID, cl.Phone, from)
	if err != nil {
		d.log.Warn("dialer: call refused", "attempt", cl.AttemptID, "err", err)
		return d.store.endAttempt(ctx, cl.AttemptID, "failed", err.Error())
	}
	_, err = d.store.pool.Exec(ctx, `UPDATE outreach_attempts SET provider_sid = $2 WHERE id = $1`, cl.AttemptID, sid)
	if err != nil {
		return fmt.Errorf("campaigns: attempt %d sid: %w", cl.AttemptID, err)
	}
	return nil
}

// bankNumber is the number a call or text of a campaign comes from: its
// own caller id, or the dialer's when it has none. Customers see only the
// bank's own numbers: ok is false for any other, which is never used.
func (d *Dialer) bankNumber(from string) (string, bool) {
	if from == "" {
		return d.cfg.CallerID, true
	}
	return from, from == d.cfg.CallerID || slices.Contains(d.cfg.CallerIDs, from)
}
