package twiliovoice

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twilio/twilio-go/twiml"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/interactions"
)

// holdLoop is one round of waiting: the prompt (with the callback offer),
// optionally how many callers arrived earlier, the music, then again. Any
// key ends the music and goes to handleHoldKey.
func (c *Channel) holdLoop(ctx context.Context, id int64, lang, queue string) []twiml.Element {
	m := c.cfg.Menu
	inner := []twiml.Element{&twiml.VoiceSay{Message: m.HoldPrompt[lang], Language: sayLanguage(lang)}}
	if c.cfg.PositionMessages {
		if p, ok := c.ahead(ctx, id, queue); ok {
			inner = append(inner, &twiml.VoiceSay{Message: positionText(lang, p), Language: sayLanguage(lang)})
		}
	}
	inner = append(inner, &twiml.VoicePlay{Url: m.HoldMusic})
	return []twiml.Element{
		&twiml.VoiceGather{Input: "dtmf", NumDigits: "1", Timeout: "1", Action: c.url("/hold/key", id), InnerElements: inner},
		&twiml.VoiceRedirect{Url: c.url("/hold", id)},
	}
}

// ahead counts the callers in the queue who arrived before this one. It is
// the order of arrival only: the order of service depends on tiers, which a
// caller must never be able to infer.
func (c *Channel) ahead(ctx context.Context, id int64, queue string) (int, bool) {
	ws, err := c.router.Waiting(ctx, queue)
	if err != nil {
		return 0, false
	}
	for i, w := range ws {
		if w.InteractionID == id {
			return i, true
		}
	}
	return 0, false
}

func positionText(lang string, n int) string {
	if lang == "en" {
		if n == 0 {
			return "You are next."
		}
		return fmt.Sprintf("There are %d callers ahead of you.", n)
	}
	if n == 0 {
		return "下一位就是您。"
	}
	return fmt.Sprintf("您前面还有%d位客户。", n)
}

// handleHold serves the hold loop; when the call has meanwhile been
// answered or has ended, it says so instead.
func (c *Channel) handleHold(w http.ResponseWriter, r *http.Request) error {
	cf, err := c.parseCall(r)
	if err != nil {
		return err
	}
	l, err := c.callInteraction(r.Context(), cf)
	if err != nil {
		return err
	}
	switch l.State {
	case switchboard.StateQueued, switchboard.StateOffered:
		if l.State == switchboard.StateQueued && l.Queue != "" {
			c.routeAgain(r.Context(), l)
		}
		return c.writeTwiML(w, c.holdLoop(r.Context(), l.ID, l.Language, l.Queue)...)
	case switchboard.StateConnected:
		return c.writeTwiML(w, c.conferenceTwiML(l.ID)...)
	default:
		return c.writeTwiML(w, &twiml.VoiceHangup{})
	}
}

// handleHoldKey takes a key pressed on hold: the callback key asks for a
// callback, any other key goes back to the music.
func (c *Channel) handleHoldKey(w http.ResponseWriter, r *http.Request) error {
	cf, err := c.parseCall(r)
	if err != nil {
		return err
	}
	l, err := c.callInteraction(r.Context(), cf)
	if err != nil {
		return err
	}
	m := c.cfg.Menu
	if m.CallbackKey == "" || cf.Digits != m.CallbackKey || l.From == "" || l.From[0] != '+' {
		// A withheld number cannot be called back.
		return c.writeTwiML(w, &twiml.VoiceRedirect{Url: c.url("/hold", l.ID)})
	}
	ok, err := c.requestCallback(r.Context(), l)
	if err != nil {
		return err
	}
	if !ok {
		return c.writeTwiML(w, &twiml.VoiceRedirect{Url: c.url("/hold", l.ID)})
	}
	return c.writeTwiML(w, &twiml.VoiceSay{Message: m.CallbackConfirm[l.Language], Language: sayLanguage(l.Language)}, &twiml.VoiceHangup{})
}

// requestCallback marks a waiting interaction for a callback to its
// caller's number; false if it is no longer waiting.
func (c *Channel) requestCallback(ctx context.Context, l interactions.Live) (bool, error) {
	var done bool
	err := c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		var err error
		done, err = interactions.RequestCallback(ctx, tx, now, l.ID, l.From)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("twiliovoice: callback for %d: %w", l.ID, err)
	}
	return done, nil
}

// conferenceTwiML seats a caller in the interaction's conference, hearing
// the hold music until the agent is there; the conference ends when the
// caller leaves. The conference's events go to handleConference; the
// agent's leg asks for the same, since whichever leg joins first sets them.
func (c *Channel) conferenceTwiML(id int64) []twiml.Element {
	return []twiml.Element{&twiml.VoiceDial{InnerElements: []twiml.Element{&twiml.VoiceConference{
		Name: twilio.ConferenceName(id), StartConferenceOnEnter: "false", EndConferenceOnExit: "true", Beep: "false",
		WaitUrl: c.cfg.Menu.HoldMusic, WaitMethod: "GET", ParticipantLabel: "customer",
		StatusCallback: c.url("/conference", id), StatusCallbackEvent: strings.Join(conferenceEvents, " "),
	}}}}
}

// conferenceEvents are the conference events the history keeps.
var conferenceEvents = []string{"start", "end", "join", "leave"}
