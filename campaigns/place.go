package campaigns

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"

	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// place asks Twilio to call cl's customer, with answering-machine
// detection: Twilio fetches the answer URL once it knows whether a person
// or a machine picked up, and posts the status callback when the call ends.
// A refused request ends the attempt as failed and the contact is retried.
func (d *Dialer) place(ctx context.Context, from string, cl Claim) error {
	from, ok := d.bankNumber(from)
	if !ok {
		d.log.Warn("dialer: caller id is not one of the bank's numbers", "attempt", cl.AttemptID, "caller_id", from)
		return d.store.endAttempt(ctx, cl.AttemptID, "failed", "caller id "+from+" is not one of the bank's numbers")
	}
	q := "?attempt=" + fmt.Sprint(cl.AttemptID)
	p := &api.CreateCallParams{}
	p.SetTo(cl.Phone).SetFrom(from).
		SetUrl(d.cfg.PublicURL + "/campaigns/twilio/answer" + q).
		SetStatusCallback(d.cfg.PublicURL + "/campaigns/twilio/status" + q).
		SetStatusCallbackEvent([]string{"completed"}).
		SetMachineDetection("Enable").SetTimeout(25)
	call, err := d.twilio.Api.CreateCall(p)
	if err != nil {
		d.log.Warn("dialer: call refused", "attempt", cl.AttemptID, "err", err)
		return d.store.endAttempt(ctx, cl.AttemptID, "failed", err.Error())
	}
	if call.Sid == nil {
		return d.store.endAttempt(ctx, cl.AttemptID, "failed", "no call SID")
	}
	_, err = d.store.pool.Exec(ctx, `UPDATE outreach_attempts SET provider_sid = $2 WHERE id = $1`, cl.AttemptID, *call.Sid)
	if err != nil {
		return fmt.Errorf("campaigns: attempt %d sid: %w", cl.AttemptID, err)
	}
	return nil
}

// hangUp ends a live call, after saying msg if it is not empty.
func (d *Dialer) hangUp(sid, msg string) error {
	p := &api.UpdateCallParams{}
	if msg != "" {
		p.SetTwiml(sayAndHangUp(msg))
	} else {
		p.SetStatus("completed")
	}
	_, err := d.twilio.Api.UpdateCall(sid, p)
	return err
}

// sayAndHangUp is TwiML that says msg and hangs up.
func sayAndHangUp(msg string) string {
	var b strings.Builder
	b.WriteString("<Response><Say>")
	xml.EscapeText(&b, []byte(msg))
	b.WriteString("</Say><Hangup/></Response>")
	return b.String()
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
