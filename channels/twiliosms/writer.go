package twiliosms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/internal/rounds"
	"switchboard/routing"
)

const (
	// writers bounds the transactions storing texts at once. A text that
	// arrives while the writer is busy waits, and the next transaction
	// commits it together with everything else waiting: under load one
	// commit (one WAL flush, one round trip) serves many webhooks, and
	// alone a text is committed at once. One writer made the largest groups
	// and, on a 2-core machine, more webhooks per second and a p99 half as
	// long as four writers did (BenchmarkSignedSMSWebhook); a process's
	// writer commits up to maxGroup texts per WAL flush, far more than its
	// webhooks need, and every server process has its own.
	writers = 1
	// maxGroup bounds the texts of one transaction.
	maxGroup = 64
	// writeTimeout bounds one transaction, which serves several requests
	// and so does not end with any one of them.
	writeTimeout = 10 * time.Second
)

// groupWriter stores texts in groups (group commit). Each text is committed
// before its store returns, as if it had had a transaction of its own.
type groupWriter struct {
	rounds rounds.Rounds[*pendingText]
}

// pendingText is a text waiting for a writer, and then its outcome.
type pendingText struct {
	in   inbound
	kw   keyword
	word string
	done chan stored // written once, by the writer
}

type stored struct {
	rec received
	err error
}

func newGroupWriter(write func(ctx context.Context, texts []*pendingText)) *groupWriter {
	g := &groupWriter{}
	g.rounds = rounds.Rounds[*pendingText]{Max: writers, MaxItems: maxGroup, Do: func(texts []*pendingText) {
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		defer cancel()
		write(ctx, texts)
	}}
	return g
}

// store waits until in is committed, or has failed. It waits even if the
// webhook's request has gone: the text may be in the transaction already.
func (g *groupWriter) store(in inbound) (received, error) {
	p := &pendingText{in: in, done: make(chan stored, 1)}
	p.kw, p.word = parseKeyword(in.Body)
	g.rounds.Add(p)
	s := <-p.done
	return s.rec, s.err
}

// writeTexts stores texts in one transaction. If it fails, each text is
// stored alone, so that one bad text (or a deadlock between groups) fails
// only itself.
func (c *Channel) writeTexts(ctx context.Context, texts []*pendingText) {
	// Groups written at once lock numbers in one order: no deadlock.
	slices.SortStableFunc(texts, func(a, b *pendingText) int { return strings.Compare(a.in.From, b.in.From) })
	recs, err := c.receiveAll(ctx, texts)
	if err != nil && len(texts) > 1 {
		for _, p := range texts {
			c.writeTexts(ctx, []*pendingText{p})
		}
		return
	}
	for i, p := range texts {
		if err != nil {
			p.done <- stored{err: err}
			continue
		}
		p.done <- stored{rec: recs[i]}
	}
	if err == nil {
		c.publish(ctx, recs)
	}
}

// publish tells the desks about the stored messages, all in one round trip
// to Redis. A failure loses nothing: the desk reads the thread from
// Postgres when it shows the interaction.
func (c *Channel) publish(ctx context.Context, recs []received) {
	var evs []channels.Event
	for _, r := range recs {
		if r.Dup || r.Message.ID == 0 {
			continue
		}
		m := r.Message
		evs = append(evs, channels.Event{Kind: "message", InteractionID: m.InteractionID,
			Channel: switchboard.ChannelSMS, AgentID: r.Thread.AgentID, Message: &m})
	}
	if err := c.bus.PublishAll(ctx, evs); err != nil {
		c.log.Warn("sms: publish", "messages", len(evs), "err", err)
	}
}

// receiveAll stores texts, in order, with one call of sms_receive_all
// (interactions.ReceiveTexts) and, in the same transaction, the queued records of
// the threads they open (StoreAndQueue): one commit, before it returns,
// for the texts and their routing. See sms_receive for the steps and how
// texts from one number are serialised.
func (c *Channel) receiveAll(ctx context.Context, texts []*pendingText) ([]received, error) {
	wire := make([]interactions.Text, len(texts))
	for i, p := range texts {
		wire[i] = interactions.Text{SID: p.in.MessageSID, From: p.in.From, To: p.in.To, Body: p.in.Body,
			Media: p.in.MediaURLs, Keyword: p.kw.String(), Word: p.word}
	}
	var recs []received
	qs, err := c.store.StoreAndQueue(ctx, c.router, c.refused, func(tx pgx.Tx, now time.Time) ([]routing.Task, error) {
		var err error
		if recs, err = c.receiveIn(ctx, tx, texts, wire, now); err != nil {
			return nil, err
		}
		if err := threadLanguages(ctx, tx, recs); err != nil {
			return nil, err
		}
		return c.tasks(recs), nil
	})
	if err != nil {
		return c.conflict(texts, err)
	}
	attach(recs, qs)
	return recs, nil
}

// receiveIn stores the texts in tx (interactions.ReceiveTexts) and reads
// its answers.
func (c *Channel) receiveIn(ctx context.Context, tx pgx.Tx, texts []*pendingText, wire []interactions.Text, now time.Time) ([]received, error) {
	stored, err := interactions.ReceiveTexts(ctx, tx, wire, now.Add(-c.cfg.ThreadWindow), c.cfg.Queue, now)
	if err != nil {
		return nil, err
	}
	recs := make([]received, len(stored))
	for i, s := range stored {
		r := received{Dup: s.Dup, New: s.New,
			Message:  interactions.Message{ID: s.MessageID, InteractionID: s.Interaction},
			Customer: customers.Identity{ID: s.CustomerID, Tier: s.Tier, RMID: s.RMID}}
		recs[i] = c.received(r, texts[i], s.AgentID, now)
	}
	return recs, nil
}

// tasks are the routing tasks of the threads recs open, in order.
func (c *Channel) tasks(recs []received) []routing.Task {
	var ts []routing.Task
	for _, r := range recs {
		if r.New {
			ts = append(ts, routing.Task{InteractionID: r.Thread.ID, Channel: switchboard.ChannelSMS,
				Queue: r.Thread.Queue, Tier: r.Thread.Tier, CustomerID: r.Customer.ID, PreferredAgent: r.Customer.RMID,
				Language: r.Thread.Language})
		}
	}
	return ts
}

// attach gives each new thread of recs its place in routing, qs being
// StoreAndQueue's answer to tasks(recs).
func attach(recs []received, qs []interactions.Queued) {
	for i := range recs {
		if recs[i].New {
			recs[i].queued, qs = &qs[0], qs[1:]
		}
	}
}

// refused keeps a thread routing refuses (its queue is not configured)
// stored and queued, with the error logged, as a failed Enqueue would
// leave it.
func (c *Channel) refused(t routing.Task, err error) error {
	c.log.Error("sms: enqueue", "interaction", t.InteractionID, "err", err)
	return nil
}

// threadLanguages reads the language of each new thread, which
// sms_receive took from the customer's profile, so that routing can find
// an agent who speaks it.
func threadLanguages(ctx context.Context, tx pgx.Tx, recs []received) error {
	var ids []int64
	for _, r := range recs {
		if r.New {
			ids = append(ids, r.Thread.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	langs, err := interactions.Languages(ctx, tx, ids)
	if err != nil {
		return fmt.Errorf("twiliosms: thread languages: %w", err)
	}
	for i := range recs {
		if lang, ok := langs[recs[i].Thread.ID]; ok && recs[i].New {
			recs[i].Thread.Language = lang
		}
	}
	return nil
}

// conflict answers a text whose MessageSid is stored from another number:
// nothing was changed, and a retry would change nothing either, so it is
// taken as a duplicate. Any other error is returned.
func (c *Channel) conflict(texts []*pendingText, err error) ([]received, error) {
	if len(texts) == 1 && errors.Is(err, switchboard.ErrConflict) {
		return []received{{Dup: true}}, nil
	}
	return nil, fmt.Errorf("twiliosms: receive %d texts: %w", len(texts), err)
}

// received completes what sms_receive said about p into what the channel
// routes and publishes.
func (c *Channel) received(r received, p *pendingText, agent int64, now time.Time) received {
	r.Keyword, r.Word = p.kw, p.word
	if r.Dup {
		return received{Dup: true, Message: r.Message}
	}
	if r.Message.ID == 0 {
		return r // a keyword alone, kept as a consent change
	}
	r.Thread = interactions.Live{Interaction: switchboard.Interaction{ID: r.Message.InteractionID,
		Channel: switchboard.ChannelSMS, Queue: c.cfg.Queue, Tier: r.Customer.Tier, AgentID: agent}}
	media := p.in.MediaURLs
	if media == nil {
		media = []string{}
	}
	r.Message = interactions.Message{ID: r.Message.ID, InteractionID: r.Message.InteractionID,
		Direction: switchboard.Inbound, Body: p.in.Body, MediaURLs: media, ProviderSID: p.in.MessageSID,
		Status: "received", At: now}
	return r
}
