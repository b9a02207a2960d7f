package twiliovoice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twilio/twilio-go/twiml"

	"switchboard"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/routing"
)

// handleIncoming opens the interaction of a new call and asks for the
// language. A retried webhook for the same CallSid finds the interaction
// and asks again, changing nothing.
func (c *Channel) handleIncoming(w http.ResponseWriter, r *http.Request) error {
	cf, err := c.parseCall(r)
	if err != nil {
		return err
	}
	l, err := c.open(r.Context(), cf)
	if err != nil {
		return err
	}
	if l.State.Terminal() {
		return c.writeTwiML(w, &twiml.VoiceHangup{})
	}
	if l.Queue != "" {
		// A retry after the IVR: the caller is already waiting.
		return c.writeTwiML(w, &twiml.VoiceRedirect{Url: c.url("/hold", l.ID)})
	}
	return c.writeTwiML(w, c.languageMenu(l.ID)...)
}

func (c *Channel) open(ctx context.Context, cf callForm) (interactions.Live, error) {
	var l interactions.Live
	err := c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		var err error
		l, err = interactions.BySID(ctx, tx, cf.CallSID)
		if !errors.Is(err, switchboard.ErrNotFound) {
			return err
		}
		ended, err := hasEnded(ctx, tx, cf.CallSID)
		if err != nil {
			return err
		}
		cust := customers.Unidentified()
		if cf.From[0] == '+' {
			if cust, err = customers.Identify(ctx, tx, cf.From); err != nil {
				return err
			}
		}
		l = interactions.Live{Interaction: switchboard.Interaction{Channel: switchboard.ChannelVoice, Direction: switchboard.Inbound,
			State: switchboard.StateQueued, CustomerID: cust.ID, Tier: cust.Tier, From: cf.From, To: cf.To, ProviderSID: cf.CallSID}}
		if err := interactions.Create(ctx, tx, now, &l.Interaction, "", map[string]any{"call_sid": cf.CallSID}); err != nil {
			return err
		}
		if !ended {
			return nil
		}
		// This webhook comes late (a node paused while it waited) and the
		// caller has hung up meanwhile: the call is recorded, never queued.
		l.State = switchboard.StateAbandoned
		return interactions.EndBeforeRouting(ctx, tx, now, l.ID, "ended_before_answer")
	})
	if err != nil {
		return interactions.Live{}, fmt.Errorf("twiliovoice: open call %s: %w", cf.CallSID, err)
	}
	return l, nil
}

func (c *Channel) languageMenu(id int64) []twiml.Element {
	m := c.cfg.Menu
	action := c.url("/ivr", id, "step", "lang")
	return []twiml.Element{
		&twiml.VoiceSay{Message: m.Greeting, Language: "cmn-CN"},
		&twiml.VoiceGather{Input: "dtmf", NumDigits: "1", Timeout: strconv.Itoa(m.Timeout), Action: action,
			InnerElements: []twiml.Element{&twiml.VoiceSay{Message: m.LanguagePrompt, Language: "cmn-CN"}}},
		&twiml.VoiceRedirect{Url: action}, // no key: the default language
	}
}

func (c *Channel) intentMenu(id int64, lang string, try int) []twiml.Element {
	m := c.cfg.Menu
	action := c.url("/ivr", id, "step", "intent", "try", strconv.Itoa(try))
	return []twiml.Element{
		&twiml.VoiceGather{Input: "dtmf", NumDigits: "1", Timeout: strconv.Itoa(m.Timeout), Action: action,
			InnerElements: []twiml.Element{&twiml.VoiceSay{Message: m.intentPrompt(lang), Language: sayLanguage(lang)}}},
		&twiml.VoiceRedirect{Url: action},
	}
}

// handleIVR takes the answer to a menu question.
func (c *Channel) handleIVR(w http.ResponseWriter, r *http.Request) error {
	cf, err := c.parseCall(r)
	if err != nil {
		return err
	}
	l, err := c.callInteraction(r.Context(), cf)
	if err != nil {
		return err
	}
	if l.Queue != "" || l.State != switchboard.StateQueued {
		return c.writeTwiML(w, &twiml.VoiceRedirect{Url: c.url("/hold", l.ID)}) // a retried answer
	}
	switch r.URL.Query().Get("step") {
	case "lang":
		return c.chooseLanguage(w, r, l, cf.Digits)
	case "intent":
		try, _ := strconv.Atoi(r.URL.Query().Get("try"))
		return c.chooseIntent(w, r, l, cf.Digits, try)
	}
	return invalid("unknown IVR step")
}

// callInteraction loads the interaction named in the callback URL and
// checks that the request is about its call.
func (c *Channel) callInteraction(ctx context.Context, cf callForm) (interactions.Live, error) {
	if cf.Interaction == 0 {
		return interactions.Live{}, invalid("the callback names no interaction")
	}
	l, err := interactions.Load(ctx, c.store.Pool(), cf.Interaction)
	if errors.Is(err, switchboard.ErrNotFound) {
		return l, switchboard.Errorf(switchboard.ErrForbidden, "no such interaction")
	}
	if err != nil {
		return l, err
	}
	if l.Channel != switchboard.ChannelVoice || l.ProviderSID != cf.CallSID {
		return l, switchboard.Errorf(switchboard.ErrForbidden, "call %s is not interaction %d", cf.CallSID, l.ID)
	}
	return l, nil
}

func (c *Channel) chooseLanguage(w http.ResponseWriter, r *http.Request, l interactions.Live, digits string) error {
	lang, ok := c.cfg.Menu.Languages[digits]
	if !ok {
		lang = c.defaultLanguage(r.Context(), l)
	}
	err := c.store.InTx(r.Context(), func(tx pgx.Tx, now time.Time) error {
		return interactions.RecordIVR(r.Context(), tx, now, l.ID, interactions.IVRAnswer{Digits: digits, Language: lang})
	})
	if err != nil {
		return fmt.Errorf("twiliovoice: language of %d: %w", l.ID, err)
	}
	return c.writeTwiML(w, c.intentMenu(l.ID, lang, 0)...)
}

// defaultLanguage is the known customer's language, else the menu's.
func (c *Channel) defaultLanguage(ctx context.Context, l interactions.Live) string {
	if l.CustomerID != 0 {
		if cust, err := customers.ByID(ctx, c.store.Pool(), l.CustomerID); err == nil && cust.Language != "" {
			return cust.Language
		}
	}
	return c.cfg.Menu.DefaultLanguage
}

func (c *Channel) chooseIntent(w http.ResponseWriter, r *http.Request, l interactions.Live, digits string, try int) error {
	m := c.cfg.Menu
	queue := m.queue(digits)
	if queue == "" && digits != "" && try == 0 {
		// A wrong key: say so and ask once more.
		els := append([]twiml.Element{&twiml.VoiceSay{Message: m.InvalidChoice[l.Language], Language: sayLanguage(l.Language)}},
			c.intentMenu(l.ID, l.Language, 1)...)
		return c.writeTwiML(w, els...)
	}
	if queue == "" {
		queue = m.DefaultQueue
	}
	if err := c.enqueue(r.Context(), l, digits, queue); err != nil {
		return err
	}
	return c.writeTwiML(w, c.holdLoop(r.Context(), l.ID, l.Language, queue)...)
}

// enqueue records the chosen queue and the call's queued record in one
// transaction (StoreAndQueue), then hands the call to routing. A queue
// routing refuses fails the answer and changes nothing. Once the record
// is committed the caller is queued: if routing is away (Redis
// restarting), the caller keeps the hold music and the hold loop hands the
// call over again until routing takes it.
func (c *Channel) enqueue(ctx context.Context, l interactions.Live, digits, queue string) error {
	t := c.task(ctx, l, queue)
	qs, err := c.store.StoreAndQueue(ctx, c.router, nil, func(tx pgx.Tx, now time.Time) ([]routing.Task, error) {
		err := interactions.RecordIVR(ctx, tx, now, l.ID, interactions.IVRAnswer{Digits: digits, Queue: queue})
		return []routing.Task{t}, err
	})
	if err != nil {
		return fmt.Errorf("twiliovoice: queue of %d: %w", l.ID, err)
	}
	if err := qs[0].Route(ctx); err != nil {
		c.log.Warn("voice: routing unavailable; the caller waits on hold until it is back", "interaction", l.ID, "err", err)
	}
	return nil
}

// task is what routing needs of call l waiting in queue.
func (c *Channel) task(ctx context.Context, l interactions.Live, queue string) routing.Task {
	t := routing.Task{InteractionID: l.ID, Channel: switchboard.ChannelVoice, Queue: queue, Tier: l.Tier,
		CustomerID: l.CustomerID, Language: l.Language}
	if l.CustomerID != 0 {
		if cust, err := customers.ByID(ctx, c.store.Pool(), l.CustomerID); err == nil {
			t.PreferredAgent = cust.RMID
		}
	}
	return t
}

// handOver gives a queued call to routing again, waiting since it began.
func (c *Channel) handOver(ctx context.Context, l interactions.Live) error {
	t := c.task(ctx, l, l.Queue)
	t.EnqueuedAt = l.CreatedAt
	q, err := c.router.Prepare(ctx, t)
	if err != nil {
		return err
	}
	return c.router.Route(ctx, q)
}
