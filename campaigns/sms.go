package campaigns

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard"
	"switchboard/interactions"
)

// textCampaign sends c's next texts, as many as its send rate allows since
// the last batch (from any process), each past the gates. Claims are taken
// one by one; the sends (a Twilio request and the record of it each) run
// smsSenders at a time, as they spend their time waiting.
func (d *Dialer) textCampaign(ctx context.Context, c *Campaign) (int, error) {
	budget, err := d.store.takeSMSBudget(ctx, c, d.cfg.Decisions)
	if err != nil || budget == 0 {
		return 0, err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var sendErr error
	slots := make(chan struct{}, smsSenders)
	decided, sent := 0, 0
	for sent < budget && decided < d.cfg.Decisions {
		cl, r, ok, cerr := d.store.claimNext(ctx, d.cfg.Gate, d.cfg.Node, c, 0)
		if cerr != nil || !ok {
			err = cerr
			break
		}
		decided++
		if r != ReasonNone {
			continue
		}
		sent++
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			if err := d.text(ctx, c, cl); err != nil {
				mu.Lock()
				sendErr = cmp.Or(sendErr, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	err = cmp.Or(err, sendErr)
	if rerr := d.store.returnSMSBudget(ctx, c, budget-sent); err == nil {
		err = rerr
	}
	return decided, err
}

// smsSenders bounds the texts one process sends at once.
const smsSenders = 8

// takeSMSBudget returns how many texts c may send now, at most max, and
// moves the campaign's send clock past them. At most ten seconds of unused
// rate carries over (a missed tick is made up), so a paused campaign does
// not burst when resumed.
func (s *Store) takeSMSBudget(ctx context.Context, c *Campaign, max int) (int, error) {
	interval := time.Minute / time.Duration(c.Rules.SMSPerMinute)
	n := 0
	err := s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		var next *time.Time
		if err := tx.QueryRow(ctx, `SELECT sms_next_at FROM campaigns WHERE id = $1 FOR UPDATE`, c.ID).Scan(&next); err != nil {
			return err
		}
		base := now.Add(-10 * time.Second)
		if next != nil && next.After(base) {
			base = *next
		}
		if now.Before(base) {
			return nil
		}
		n = min(max, int(now.Sub(base)/interval)+1)
		_, err := tx.Exec(ctx, `UPDATE campaigns SET sms_next_at = $2 WHERE id = $1`, c.ID, base.Add(time.Duration(n)*interval))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("campaigns: SMS budget of %d: %w", c.ID, err)
	}
	return n, nil
}

func (s *Store) returnSMSBudget(ctx context.Context, c *Campaign, unused int) error {
	if unused <= 0 {
		return nil
	}
	back := float64(unused) * 60 / float64(c.Rules.SMSPerMinute)
	_, err := s.pool.Exec(ctx, `UPDATE campaigns SET sms_next_at = sms_next_at - make_interval(secs => $2) WHERE id = $1`, c.ID, back)
	return err
}

// text sends claimed contact cl its personalised message and records it as
// an outbound SMS interaction with the message, so the text shows in the
// customer's timeline; Twilio's status callbacks track delivery.
func (d *Dialer) text(ctx context.Context, c *Campaign, cl Claim) error {
	_, err := d.sendText(ctx, cl, c.CallerID, c.Template, map[string]any{"campaign_id": c.ID, "attempt_id": cl.AttemptID})
	return err
}

// sendText sends claimed contact cl template, personalised, from from (the
// dialer's number if empty), and records it (see recordText) with data on
// the interaction. It reports whether Twilio took the text; a refusal ends
// the attempt as failed.
func (d *Dialer) sendText(ctx context.Context, cl Claim, from, template string, data map[string]any) (bool, error) {
	fields, err := d.store.fields(ctx, cl.CustomerID)
	if err != nil {
		return false, d.store.endAttempt(ctx, cl.AttemptID, "failed", err.Error())
	}
	body := Render(template, fields)
	from, ok := d.bankNumber(from)
	if !ok {
		d.log.Warn("dialer: caller id is not one of the bank's numbers", "attempt", cl.AttemptID, "caller_id", from)
		return false, d.store.endAttempt(ctx, cl.AttemptID, "failed", "caller id "+from+" is not one of the bank's numbers")
	}
	p := &api.CreateMessageParams{}
	p.SetTo(cl.Phone).SetFrom(from).SetBody(body).
		SetStatusCallback(fmt.Sprintf("%s/campaigns/twilio/sms-status?attempt=%d", d.cfg.PublicURL, cl.AttemptID))
	m, err := d.twilio.API(ctx).CreateMessage(p)
	if err != nil || m.Sid == nil {
		d.log.Warn("dialer: text refused", "attempt", cl.AttemptID, "err", err)
		return false, d.store.endAttempt(ctx, cl.AttemptID, "failed", fmt.Sprint(err))
	}
	return true, d.store.recordText(ctx, cl, from, body, *m.Sid, data)
}

func (s *Store) recordText(ctx context.Context, cl Claim, from, body, sid string, data map[string]any) error {
	err := s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		a, err := lockAttempt(ctx, tx, cl.AttemptID)
		if err != nil {
			return err
		}
		result := "sent"
		if a.Result == "delivered" || a.Result == "undelivered" {
			result = a.Result // the delivery report came first
		}
		in := &switchboard.Interaction{Channel: switchboard.ChannelSMS, Direction: switchboard.Outbound,
			State: switchboard.StateDone, CustomerID: cl.CustomerID, From: cl.Phone, To: from,
			EndedAt: now, EndReason: "campaign_sms"}
		if err := interactions.Create(ctx, tx, now, in, "", data); err != nil {
			return err
		}
		msg := &interactions.Message{InteractionID: in.ID, Direction: switchboard.Outbound, Body: body, ProviderSID: sid, Status: result}
		if _, err := interactions.InsertMessage(ctx, tx, now, msg); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE outreach_attempts SET provider_sid = $2, interaction_id = $3 WHERE id = $1`,
			cl.AttemptID, sid, in.ID)
		if err != nil {
			return err
		}
		return closeAttempt(ctx, tx, now, a, result, "")
	})
	if err != nil {
		return fmt.Errorf("campaigns: record text of attempt %d: %w", cl.AttemptID, err)
	}
	return nil
}

// SMSStatus records a delivery report for text attempt id: delivered,
// undelivered or failed, on the attempt and on the message in the
// customer's SMS interaction. Earlier states (queued, sent) change
// nothing. A report may beat the record of the send (Twilio can deliver
// before the send's transaction commits): the attempt keeps it, and the
// record of the send does not overwrite it.
func (s *Store) SMSStatus(ctx context.Context, id int64, sid, status string) error {
	result := map[string]string{"delivered": "delivered", "undelivered": "undelivered", "failed": "undelivered"}[status]
	if result == "" {
		return nil
	}
	err := s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		_, err := tx.Exec(ctx, `UPDATE outreach_attempts SET result = $3, reason = $4
			WHERE id = $1 AND (provider_sid = $2 OR provider_sid IS NULL) AND channel = 'sms'
			  AND result IN ('dialing', 'sent', 'delivered', 'undelivered')`, id, sid, result, status)
		if err != nil {
			return err
		}
		return interactions.SetStatusBySID(ctx, tx, now, sid, status)
	})
	if err != nil {
		return fmt.Errorf("campaigns: SMS status of attempt %d: %w", id, err)
	}
	return nil
}

// fields are a customer's template fields.
func (s *Store) fields(ctx context.Context, customerID int64) (map[string]string, error) {
	var name, nameZH, tier, region, rm string
	err := s.pool.QueryRow(ctx, `SELECT c.name, c.name_zh, c.value_tier, c.region, coalesce(a.name, '')
		FROM customers c LEFT JOIN agents a ON a.id = c.rm_id WHERE c.id = $1`, customerID).
		Scan(&name, &nameZH, &tier, &region, &rm)
	if err != nil {
		return nil, fmt.Errorf("customer %d: %w", customerID, err)
	}
	if nameZH != "" {
		name = nameZH
	}
	first, _, _ := strings.Cut(name, " ")
	return map[string]string{"name": name, "first_name": first, "tier": tier, "rm": rm, "region": region}, nil
}
