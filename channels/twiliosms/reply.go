package twiliosms

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard"
	"switchboard/channels"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/pgdb"
)

// Reply texts body to the customer of an SMS interaction on behalf of the
// agent serving it. The message is stored (status "sending") before Twilio
// is asked, so a crash between the two leaves a record, not a silent send.
// Errors: ErrNotFound for an unknown interaction; ErrInvalid for an empty or
// over-long body or a non-SMS interaction; ErrForbidden when the agent does
// not hold the interaction or the number has opted out (STOP, 退订);
// ErrConflict when the interaction has ended; ErrUnavailable when Twilio
// refuses or cannot be reached (the message is then marked failed).
func (c *Channel) Reply(ctx context.Context, agentID, interactionID int64, body string) (interactions.Message, error) {
	return c.ReplyOnce(ctx, agentID, interactionID, body, "")
}

// ReplyOnce is Reply with the desk's client message id: a resend of the
// same id (after a lost reply or a reconnect) finds the stored message and
// returns it without asking Twilio again, so the customer is never texted
// twice. The unique (interaction_id, client_msg_id) index decides, inside
// the transaction that writes the row, so two concurrent resends cannot
// both send. An empty id turns the check off.
func (c *Channel) ReplyOnce(ctx context.Context, agentID, interactionID int64, body, clientMsgID string) (interactions.Message, error) {
	m, l, dup, err := c.store.StoreReply(ctx, interactions.Reply{Channel: switchboard.ChannelSMS, AgentID: agentID,
		InteractionID: interactionID, Body: body, ClientMsgID: clientMsgID, Status: "sending", MaxRunes: maxBody},
		func(tx pgx.Tx, l interactions.Live) error { return refuseOptedOut(ctx, tx, l.From) })
	if err != nil {
		return interactions.Message{}, fmt.Errorf("twiliosms: reply to %d: %w", interactionID, err)
	}
	if dup {
		return m, nil // already sent, or being sent, by the first try
	}
	return c.send(ctx, l.From, m)
}

// refuseOptedOut is the consent check every outbound text passes.
func refuseOptedOut(ctx context.Context, q pgdb.Querier, to string) error {
	out, err := customers.SMSOptedOut(ctx, q, to)
	if err != nil {
		return err
	}
	if out {
		return switchboard.Errorf(switchboard.ErrForbidden, "%s has opted out of SMS (STOP / 退订); no text may be sent", to)
	}
	return nil
}

// send asks Twilio to deliver a stored message and records what it said.
func (c *Channel) send(ctx context.Context, to string, m interactions.Message) (interactions.Message, error) {
	p := &api.CreateMessageParams{}
	p.SetTo(to).SetFrom(c.cfg.From).SetBody(m.Body).SetStatusCallback(c.statusCallback(m.ID))
	res, sendErr := c.twilio.API(ctx).CreateMessage(p)
	status, sid := "failed", ""
	if sendErr == nil && res.Sid != nil {
		sid, status = *res.Sid, "queued"
		if res.Status != nil {
			status = *res.Status
		}
	}
	if err := c.recordSent(ctx, m.ID, sid, status); err != nil {
		return m, err
	}
	m.ProviderSID, m.Status = sid, status
	if sendErr != nil {
		c.log.Error("sms: send", "message", m.ID, "err", sendErr)
		return m, switchboard.Errorf(switchboard.ErrUnavailable, "the text could not be sent; try again")
	}
	if err := c.bus.Publish(ctx, channels.Event{Kind: "message", InteractionID: m.InteractionID, Channel: switchboard.ChannelSMS, AgentID: m.AgentID, Message: &m}); err != nil {
		c.log.Warn("sms: publish reply", "err", err)
	}
	return m, nil
}

// recordSent stores the provider's answer unless a status callback has
// already moved the message further.
func (c *Channel) recordSent(ctx context.Context, id int64, sid, status string) error {
	if err := interactions.RecordSent(ctx, c.store.Pool(), c.store.Now(), id, sid, status); err != nil {
		return fmt.Errorf("twiliosms: %w", err)
	}
	return nil
}

// Send texts a number outside any conversation (a notice, a campaign step),
// under the same consent rule as Reply: a number that opted out is refused
// with ErrForbidden and nothing is sent.
func (c *Channel) Send(ctx context.Context, to, body string) (string, error) {
	if body == "" || utf8.RuneCountInString(body) > maxBody {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "a text is 1 to %d characters", maxBody)
	}
	if err := refuseOptedOut(ctx, c.store.Pool(), to); err != nil {
		return "", err
	}
	p := &api.CreateMessageParams{}
	p.SetTo(to).SetFrom(c.cfg.From).SetBody(body)
	res, err := c.twilio.API(ctx).CreateMessage(p)
	if err != nil || res.Sid == nil {
		c.log.Error("sms: send", "err", err)
		return "", switchboard.Errorf(switchboard.ErrUnavailable, "the text could not be sent; try again")
	}
	return *res.Sid, nil
}
