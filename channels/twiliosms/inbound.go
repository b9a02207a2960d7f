package twiliosms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twilio/twilio-go/twiml"

	"switchboard"
	"switchboard/channels"
	"switchboard/pgdb"
	"switchboard/routing"
)

// errDuplicate rolls back a transaction that found the message already
// stored by a concurrent retry.
var errDuplicate = errors.New("twiliosms: duplicate message")

// received is what storing an inbound text decided.
type received struct {
	Message  channels.Message
	Thread   channels.Live
	Customer channels.Customer
	New      bool // a new thread was opened and must be routed
	Dup      bool // a retry of a stored message: nothing changed
	Keyword  keyword
	Word     string
}

func (c *Channel) handleInbound(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		c.writeError(w, r, err)
		return
	}
	in, err := parseInbound(r.PostForm, c.cfg.Region)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	rec, err := c.receive(r.Context(), in)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	if !rec.Dup {
		c.afterCommit(r.Context(), rec)
	}
	c.writeReply(w, rec)
}

// receive stores an inbound text in one transaction: consent, thread and
// message commit together or not at all.
func (c *Channel) receive(ctx context.Context, in inbound) (received, error) {
	var rec received
	err := c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		rec = received{}
		if done, err := c.findDuplicate(ctx, tx, in, &rec); err != nil || done {
			return err
		}
		return c.receiveTx(ctx, tx, now, in, &rec)
	})
	if errors.Is(err, errDuplicate) {
		rec = received{Dup: true}
		_, err = c.findDuplicate(ctx, c.store.Pool(), in, &rec)
	}
	return rec, err
}

func (c *Channel) findDuplicate(ctx context.Context, q channels.Querier, in inbound, rec *received) (bool, error) {
	sid := in.MessageSID
	err := q.QueryRow(ctx, `SELECT id, interaction_id FROM messages WHERE provider_sid = $1`, sid).
		Scan(&rec.Message.ID, &rec.Message.InteractionID)
	if kw, _ := parseKeyword(in.Body); kw != kwNone && errors.Is(err, pgx.ErrNoRows) {
		// A keyword that opened no thread is kept only as a consent change.
		err = q.QueryRow(ctx, `SELECT 0, 0 FROM consent_changes WHERE detail = $1 AND source LIKE 'sms:%' LIMIT 1`, sid).
			Scan(&rec.Message.ID, &rec.Message.InteractionID)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("twiliosms: find %s: %w", sid, pgdb.FormatError(err))
	}
	rec.Dup = true
	return true, nil
}

func (c *Channel) receiveTx(ctx context.Context, tx pgx.Tx, now time.Time, in inbound, rec *received) error {
	cust, err := channels.Identify(ctx, tx, in.From)
	if err != nil {
		return err
	}
	rec.Customer = cust
	rec.Keyword, rec.Word = parseKeyword(in.Body)
	if err := c.applyKeyword(ctx, tx, now, in, rec); err != nil {
		return err
	}
	thread, found, err := c.openThread(ctx, tx, now, in.From)
	if err != nil {
		return err
	}
	if !found && rec.Keyword != kwNone {
		// A keyword alone opens no conversation for an agent; it is kept
		// in consent_changes.
		return nil
	}
	if !found {
		// A reply to a campaign's text joins that text's interaction.
		if thread, found, err = c.reopenCampaignThread(ctx, tx, now, in, cust); err != nil {
			return err
		}
		rec.New = found
	}
	if !found {
		if thread, err = c.newThread(ctx, tx, now, in, cust); err != nil {
			return err
		}
		rec.New = true
	}
	rec.Thread = thread
	rec.Message = channels.Message{InteractionID: thread.ID, Direction: switchboard.Inbound, Body: in.Body,
		MediaURLs: in.MediaURLs, ProviderSID: in.MessageSID, Status: "received"}
	dup, err := channels.InsertMessage(ctx, tx, now, &rec.Message)
	if err != nil {
		return err
	}
	if dup {
		return errDuplicate
	}
	return nil
}

func (c *Channel) applyKeyword(ctx context.Context, tx pgx.Tx, now time.Time, in inbound, rec *received) error {
	if rec.Keyword != kwStop && rec.Keyword != kwStart {
		return nil
	}
	return channels.RecordConsent(ctx, tx, now, channels.ConsentChange{
		CustomerID: rec.Customer.ID, Phone: in.From, Kind: "sms", OptedOut: rec.Keyword == kwStop,
		Source: "sms:" + rec.Word, Detail: in.MessageSID,
	})
}

// openThread finds the number's open SMS interaction whose last message is
// within the thread window, locked so two texts cannot open two threads.
func (c *Channel) openThread(ctx context.Context, tx pgx.Tx, now time.Time, from string) (channels.Live, bool, error) {
	// The advisory lock serialises texts from one number, so two texts that
	// arrive together append to one new thread rather than open two.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('sms:' || $1))`, from); err != nil {
		return channels.Live{}, false, fmt.Errorf("twiliosms: lock thread of %s: %w", from, err)
	}
	l, err := channels.OpenThread(ctx, tx, from, now.Add(-c.cfg.ThreadWindow))
	if errors.Is(err, switchboard.ErrNotFound) {
		return channels.Live{}, false, nil
	}
	if err != nil {
		return channels.Live{}, false, fmt.Errorf("twiliosms: open thread of %s: %w", from, err)
	}
	return l, true, nil
}

func (c *Channel) newThread(ctx context.Context, tx pgx.Tx, now time.Time, in inbound, cust channels.Customer) (channels.Live, error) {
	l := channels.Live{Interaction: switchboard.Interaction{
		Channel: switchboard.ChannelSMS, Direction: switchboard.Inbound, State: switchboard.StateQueued,
		CustomerID: cust.ID, Queue: c.cfg.Queue, Tier: cust.Tier, From: in.From, To: in.To,
	}, Language: cust.Language}
	err := channels.CreateInteraction(ctx, tx, now, &l.Interaction, cust.Language, map[string]any{"message_sid": in.MessageSID})
	return l, err
}

// afterCommit routes a new thread and tells the desk. Both may fail without
// losing anything: the interaction is committed as queued, and routing
// rebuilds its queues from Postgres.
func (c *Channel) afterCommit(ctx context.Context, rec received) {
	if rec.New {
		err := c.router.Enqueue(ctx, routing.Task{InteractionID: rec.Thread.ID, Channel: switchboard.ChannelSMS,
			Queue: rec.Thread.Queue, Tier: rec.Thread.Tier, CustomerID: rec.Customer.ID, PreferredAgent: rec.Customer.RMID})
		if err != nil {
			c.log.Error("sms: enqueue", "interaction", rec.Thread.ID, "err", err)
		}
	}
	if rec.Message.ID == 0 {
		return
	}
	m := rec.Message
	err := c.bus.Publish(ctx, channels.Event{Kind: "message", InteractionID: m.InteractionID,
		Channel: switchboard.ChannelSMS, AgentID: rec.Thread.AgentID, Message: &m})
	if err != nil {
		c.log.Warn("sms: publish", "interaction", m.InteractionID, "err", err)
	}
}

// writeReply answers Twilio with TwiML: the help text, the 退订 confirmation,
// or nothing.
func (c *Channel) writeReply(w http.ResponseWriter, rec received) {
	var els []twiml.Element
	switch {
	case rec.Keyword == kwHelp:
		els = append(els, &twiml.MessagingMessage{Body: c.cfg.HelpText})
	case rec.Keyword == kwStop && !twilioHandles(rec.Word):
		els = append(els, &twiml.MessagingMessage{Body: c.cfg.OptOutText})
	}
	x, err := twiml.Messages(els)
	if err != nil {
		x = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprint(w, x)
}
