package webchat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/routing"
)

// session is what a socket knows about its customer. The reader goroutine
// owns it; offered is also read by the no-answer timer.
type session struct {
	ready         bool
	interactionID int64
	customer      customers.Identity
	name, phone   string
	smsTo         string // the number the chat may continue on: a signed-in customer's own
	language      string
	limitKey      string
	lastTyping    time.Time
	offered       atomic.Bool
	noAnswer      *time.Timer
	// queued is the chat, stored and queued with its first message, for
	// started to hand to routing.
	queued *interactions.Queued
}

func (c *Channel) handleFrame(ctx context.Context, k *conn, f inFrame) error {
	if f.Type == "hello" {
		if k.s.ready {
			return switchboard.Errorf(switchboard.ErrConflict, "hello was already said")
		}
		return c.hello(ctx, k, f)
	}
	if !k.s.ready {
		return switchboard.Errorf(switchboard.ErrInvalid, "say hello first")
	}
	switch f.Type {
	case "message":
		return c.message(ctx, k, f)
	case "typing":
		return c.typing(ctx, k, f.Typing)
	case "sms":
		return c.continueBySMS(ctx, k, f.Accept)
	}
	return nil
}

func (c *Channel) hello(ctx context.Context, k *conn, f inFrame) error {
	s := &k.s
	switch {
	case f.Resume != "":
		return c.resume(ctx, k, f)
	case f.Token != "":
		cid, err := verifyCustomerToken(c.cfg.Key, f.Token, c.now())
		if err != nil {
			return err
		}
		if s.customer, err = customers.ByID(ctx, c.store.Pool(), cid); err != nil {
			if errors.Is(err, switchboard.ErrNotFound) {
				return switchboard.Errorf(switchboard.ErrUnauthorized, "the sign-in token is not valid")
			}
			return err
		}
		s.name, s.language = s.customer.Name, s.customer.Language
		s.limitKey = "cust:" + strconv.FormatInt(cid, 10)
		// Only the number on file: a typed one is unverified, and texting
		// it would let anyone make the bank text anyone.
		if !s.customer.OptOutSMS {
			s.smsTo = s.customer.Phone
		}
	default:
		s.customer = customers.Unidentified()
		s.name, s.phone, s.language = f.Name, f.Phone, f.Language
		s.limitKey = "anon:" + k.ip + ":" + f.Phone
	}
	if f.Language != "" {
		s.language = f.Language
	}
	s.ready = true
	k.send(outFrame{Type: "welcome"})
	return nil
}

// resume re-attaches a socket to its conversation and sends what the
// widget has not seen.
func (c *Channel) resume(ctx context.Context, k *conn, f inFrame) error {
	id, err := verifyResume(c.cfg.Key, f.Resume, c.now())
	if err != nil {
		return err
	}
	l, err := interactions.Load(ctx, c.store.Pool(), id)
	if err != nil || l.Channel != switchboard.ChannelChat {
		return switchboard.Errorf(switchboard.ErrUnauthorized, "the conversation cannot be resumed; start a new one")
	}
	missed, err := c.store.Messages(ctx, id, f.LastSeen)
	if err != nil {
		return err
	}
	s := &k.s
	s.ready, s.interactionID, s.language = true, id, l.Language
	s.customer = customers.Identity{ID: l.CustomerID, Tier: l.Tier}
	s.limitKey = "chat:" + strconv.FormatInt(id, 10)
	if l.CustomerID != 0 {
		s.limitKey = "cust:" + strconv.FormatInt(l.CustomerID, 10)
	}
	c.register(id, k)
	k.send(outFrame{Type: "welcome", InteractionID: id, Resume: c.resumeToken(id), Messages: missed})
	if l.State.Terminal() || l.State == switchboard.StateWrapUp {
		k.send(outFrame{Type: "closed"})
	}
	return nil
}

func (c *Channel) message(ctx context.Context, k *conn, f inFrame) error {
	now := c.now()
	if !c.msgsPerIP.allow(ctx, k.ip, now) || !c.msgsPerCustomer.allow(ctx, k.s.limitKey, now) {
		return switchboard.Errorf(switchboard.ErrUnavailable, "you are sending messages too quickly; wait a moment")
	}
	m, created, dup, err := c.store1(ctx, k, f)
	if err != nil {
		return err
	}
	if created {
		c.started(ctx, k)
	}
	k.send(outFrame{Type: "ack", ClientMsgID: f.ClientMsgID, Message: &m})
	if !dup {
		if err := c.toAgent(ctx, channels.Event{Kind: "message", InteractionID: m.InteractionID, Channel: switchboard.ChannelChat, Message: &m}); err != nil {
			c.log.Warn("chat: publish", "interaction", m.InteractionID, "err", err)
		}
	}
	return nil
}

// store1 stores one customer message, opening the interaction with the
// first and queueing it in the same commit (StoreAndQueue); the
// transaction commits before the ack is sent.
func (c *Channel) store1(ctx context.Context, k *conn, f inFrame) (m interactions.Message, created, dup bool, err error) {
	s := &k.s
	qs, err := c.store.StoreAndQueue(ctx, c.router, c.refused, func(tx pgx.Tx, now time.Time) ([]routing.Task, error) {
		var tasks []routing.Task
		created = false
		if s.interactionID == 0 {
			id, err := c.open(ctx, tx, now, s)
			if err != nil {
				return nil, err
			}
			m.InteractionID, created = id, true
			tasks = append(tasks, routing.Task{InteractionID: id, Channel: switchboard.ChannelChat, Queue: c.cfg.Queue,
				Tier: s.customer.Tier, CustomerID: s.customer.ID, PreferredAgent: s.customer.RMID, Language: s.language})
		} else {
			l, err := interactions.Load(ctx, tx, s.interactionID)
			if err != nil {
				return nil, err
			}
			if l.State.Terminal() || l.State == switchboard.StateWrapUp {
				return nil, switchboard.Errorf(switchboard.ErrConflict, "this chat has ended; start a new one")
			}
			m.InteractionID = l.ID
		}
		m.Direction, m.Body, m.ClientMsgID, m.Status = switchboard.Inbound, f.Body, f.ClientMsgID, "received"
		var err error
		dup, err = interactions.InsertMessage(ctx, tx, now, &m)
		return tasks, err
	})
	if err != nil {
		return m, false, false, fmt.Errorf("webchat: store message: %w", err)
	}
	if created {
		s.interactionID, s.queued = m.InteractionID, &qs[0]
	}
	return m, created, dup, nil
}

func (c *Channel) open(ctx context.Context, tx pgx.Tx, now time.Time, s *session) (int64, error) {
	from := s.phone
	if from == "" {
		from = "chat:" + randomID()
	}
	in := switchboard.Interaction{Channel: switchboard.ChannelChat, Direction: switchboard.Inbound, State: switchboard.StateQueued,
		CustomerID: s.customer.ID, Queue: c.cfg.Queue, Tier: s.customer.Tier, From: from, To: "web"}
	err := interactions.Create(ctx, tx, now, &in, s.language, map[string]any{"name": s.name, "phone": s.phone, "signed_in": s.customer.ID != 0})
	return in.ID, err
}

// refused keeps a chat routing refuses (its queue is not configured)
// open, with the error logged.
func (c *Channel) refused(t routing.Task, err error) error {
	c.log.Error("chat: enqueue", "interaction", t.InteractionID, "err", err)
	return nil
}

// started routes a new chat, tells the widget how to resume it, and arms
// the offer to continue by SMS.
func (c *Channel) started(ctx context.Context, k *conn) {
	s := &k.s
	id := s.interactionID
	c.register(id, k)
	k.send(outFrame{Type: "welcome", InteractionID: id, Resume: c.resumeToken(id)})
	if s.queued != nil {
		if err := s.queued.Route(ctx); err != nil {
			c.log.Error("chat: enqueue", "interaction", id, "err", err)
		}
		s.queued = nil
	}
	if c.cfg.NoAnswerAfter > 0 && c.cfg.SMS != nil && s.smsTo != "" {
		s.noAnswer = time.AfterFunc(c.cfg.NoAnswerAfter, func() { c.offerSMS(id, k) })
	}
}

// offerSMS offers to continue by text if nobody has answered yet.
func (c *Channel) offerSMS(id int64, k *conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	l, err := interactions.Load(ctx, c.store.Pool(), id)
	if err != nil || (l.State != switchboard.StateQueued && l.State != switchboard.StateOffered) {
		return
	}
	k.s.offered.Store(true)
	text := "All our agents are busy. Shall we continue by SMS to your phone? 坐席繁忙，是否改用短信继续？"
	k.send(outFrame{Type: "offer_sms", Text: text})
}

func (c *Channel) continueBySMS(ctx context.Context, k *conn, accept bool) error {
	s := &k.s
	if !s.offered.Load() || s.smsTo == "" || c.cfg.SMS == nil {
		return switchboard.Errorf(switchboard.ErrConflict, "continuing by SMS was not offered")
	}
	if !accept {
		return nil
	}
	if _, err := c.cfg.SMS(ctx, s.smsTo, "Switchboard Bank: reply to this text to continue your chat with us. 回复本短信继续咨询。"); err != nil {
		return err
	}
	if err := c.router.Cancel(ctx, s.interactionID, "moved_to_sms"); err != nil && !errors.Is(err, switchboard.ErrNotFound) {
		c.log.Warn("chat: cancel after SMS", "interaction", s.interactionID, "err", err)
	}
	k.send(outFrame{Type: "closed", Text: "sms"})
	return nil
}

func (c *Channel) typing(ctx context.Context, k *conn, typing bool) error {
	s := &k.s
	now := c.now()
	if s.interactionID == 0 || now.Sub(s.lastTyping) < time.Second {
		return nil // indicators are best-effort and throttled
	}
	s.lastTyping = now
	return c.toAgent(ctx, channels.Event{Kind: "typing", InteractionID: s.interactionID, Channel: switchboard.ChannelChat, Typing: typing, From: "customer"})
}

// toAgent publishes what the customer did to the desk of the agent the
// chat is offered to or held by. The socket cannot know who that is (the
// chat is offered, accepted and transferred without it), and a desk only
// takes events addressed to its agent, so the agent is read at the time
// of sending.
func (c *Channel) toAgent(ctx context.Context, e channels.Event) error {
	agent, err := interactions.AgentOf(ctx, c.store.Pool(), e.InteractionID)
	if err != nil {
		return fmt.Errorf("webchat: publish %s: %w", e.Kind, err)
	}
	e.AgentID = agent
	return c.bus.Publish(ctx, e)
}

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// resumeToken is a fresh resume token of interaction id.
func (c *Channel) resumeToken(id int64) string {
	return resumeToken(c.cfg.Key, id, c.now().Add(c.cfg.ResumeFor))
}
