package twiliosms

import (
	"context"
	"fmt"
	"net/http"

	"github.com/twilio/twilio-go/twiml"

	"switchboard/channels"
	"switchboard/customers"
	"switchboard/routing"
)

// received is what storing an inbound text decided.
type received struct {
	Message  channels.Message
	Thread   channels.Live
	Customer customers.Identity
	New      bool // a new thread was opened and must be routed
	Dup      bool // a retry of a stored message: nothing changed
	Keyword  keyword
	Word     string
	queued   *routing.Queued // a new thread's routing record, committed with it
}

func (c *Channel) handleInbound(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		c.writeError(w, r, err)
		return
	}
	in, err := parseInbound(r.PostForm, c.cfg.Region, c.cfg.From)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	rec, err := c.receive(in)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	if !rec.Dup {
		c.afterCommit(r.Context(), rec)
	}
	c.writeReply(w, rec)
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
	if err := c.router.Route(ctx, *rec.queued); err != nil {
		c.log.Error("sms: enqueue", "interaction", rec.Thread.ID, "err", err)
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
	x := emptyReply
	if len(els) > 0 {
		var err error
		if x, err = twiml.Messages(els); err != nil {
			x = emptyReply
		}
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprint(w, x)
}

// emptyReply is the answer to nearly every text, built once: it was a
// twentieth of a webhook's Go time when built each time.
const emptyReply = `<?xml version="1.0" encoding="UTF-8"?><Response/>`
