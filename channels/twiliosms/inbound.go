package twiliosms

import (
	"context"
	"net/http"

	"github.com/twilio/twilio-go/twiml"

	"switchboard/channels/twilio"
	"switchboard/customers"
	"switchboard/interactions"
)

// received is what storing an inbound text decided.
type received struct {
	Message  interactions.Message
	Thread   interactions.Live
	Customer customers.Identity
	New      bool // a new thread was opened and must be routed
	Dup      bool // a retry of a stored message: nothing changed
	Keyword  keyword
	Word     string
	queued   *interactions.Queued // a new thread, stored and queued in one commit
}

func (c *Channel) handleInbound(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	in, err := parseInbound(r.PostForm, c.cfg.Region, c.cfg.From)
	if err != nil {
		return err
	}
	rec, err := c.receive(in)
	if err != nil {
		return err
	}
	if !rec.Dup {
		c.afterCommit(r.Context(), rec)
	}
	return c.writeReply(w, rec)
}

// receive stores an inbound text: consent, thread and message commit
// together or not at all, before it returns, possibly in one transaction
// with other texts (groupWriter).
func (c *Channel) receive(in inbound) (received, error) {
	return c.writer.store(in)
}

// afterCommit routes a new thread, whose queued record committed with the
// text. It may fail without losing anything: the interaction is committed
// as queued, and routing rebuilds its queues from Postgres. (The writer has
// told the desks about the message.)
func (c *Channel) afterCommit(ctx context.Context, rec received) {
	if rec.queued == nil {
		return
	}
	if err := rec.queued.Route(ctx); err != nil {
		c.log.Error("sms: enqueue", "interaction", rec.Thread.ID, "err", err)
	}
}

// writeReply answers Twilio with TwiML: the help text, the 退订 confirmation,
// or nothing.
func (c *Channel) writeReply(w http.ResponseWriter, rec received) error {
	var els []twiml.Element
	switch {
	case rec.Keyword == kwHelp:
		els = append(els, &twiml.MessagingMessage{Body: c.cfg.HelpText})
	case rec.Keyword == kwStop && !twilioHandles(rec.Word):
		els = append(els, &twiml.MessagingMessage{Body: c.cfg.OptOutText})
	}
	x := twilio.NoReply // the answer to nearly every text
	if len(els) > 0 {
		var err error
		if x, err = twiml.Messages(els); err != nil {
			x = twilio.NoReply
		}
	}
	return twilio.WriteTwiML(w, x)
}
