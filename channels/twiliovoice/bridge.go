package twiliovoice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	api "github.com/twilio/twilio-go/rest/api/v2010"
	"github.com/twilio/twilio-go/twiml"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/interactions"
	"switchboard/routing"
)

// Run bridges accepted voice interactions until ctx ends. Every node runs
// it; a Redis claim makes exactly one of them bridge each acceptance.
func (c *Channel) Run(ctx context.Context) error {
	evs, err := c.router.Subscribe(ctx)
	if err != nil {
		return fmt.Errorf("twiliovoice: %w", err)
	}
	go c.sweepLoop(ctx)
	for ev := range evs {
		if ev.Kind != routing.EventAccepted || (ev.Channel != "" && ev.Channel != switchboard.ChannelVoice) {
			continue
		}
		go func() {
			if err := c.Bridge(ctx, ev.InteractionID, ev.AgentID); err != nil {
				c.log.Error("voice: bridge", "interaction", ev.InteractionID, "agent", ev.AgentID, "err", err)
			}
		}()
	}
	return nil
}

// Bridge connects the agent who accepted a voice interaction with the
// caller in the interaction's conference: the agent's softphone joins
// through the Participants API, and the caller is redirected into it (or,
// for a callback, dialled). Bridging an acceptance twice does nothing the
// second time. Errors: ErrNotFound for an unknown interaction;
// ErrUnavailable when Twilio refuses, after which the interaction is
// completed so the agent is not left holding a dead call.
func (c *Channel) Bridge(ctx context.Context, interactionID, agentID int64) error {
	l, err := interactions.Load(ctx, c.store.Pool(), interactionID)
	if err != nil {
		return err
	}
	if l.Channel != switchboard.ChannelVoice {
		return nil
	}
	first, err := c.bus.Claim(ctx, fmt.Sprintf("bridge:%d:%d", interactionID, agentID), time.Hour)
	if err != nil || !first {
		return err
	}
	legs, err := c.connect(ctx, l, agentID)
	if err == nil {
		err = c.record(ctx, l.ID, agentID, interactions.KindBridging, legs)
		return err
	}
	c.log.Warn("voice: bridge failed", "interaction", l.ID, "err", err)
	_ = c.record(ctx, l.ID, agentID, interactions.KindBridgeFailed, map[string]any{"error": err.Error()})
	if cerr := c.router.Complete(ctx, agentID, l.ID); cerr != nil && !errors.Is(cerr, switchboard.ErrNotFound) {
		c.log.Warn("voice: complete after failed bridge", "interaction", l.ID, "err", cerr)
	}
	return switchboard.Errorf(switchboard.ErrUnavailable, "the call could not be connected")
}

// connect places the two legs.
func (c *Channel) connect(ctx context.Context, l interactions.Live, agentID int64) (map[string]any, error) {
	pp := &api.CreateParticipantParams{}
	pp.SetFrom(c.cfg.From).SetTo("client:" + c.cfg.AgentClient(agentID)).SetLabel("agent").
		SetStartConferenceOnEnter(true).SetEndConferenceOnExit(true).
		SetStatusCallback(c.url("/status", l.ID, "leg", "agent")).SetStatusCallbackEvent([]string{"answered", "completed"}).
		SetConferenceStatusCallback(c.url("/conference", l.ID)).SetConferenceStatusCallbackEvent(conferenceEvents)
	agentLeg, err := c.twilio.API(ctx).CreateParticipant(twilio.ConferenceName(l.ID), pp)
	if err != nil {
		return nil, fmt.Errorf("agent leg: %w", err)
	}
	legs := map[string]any{"conference": twilio.ConferenceName(l.ID)}
	if agentLeg.CallSid != nil {
		legs["agent_call_sid"] = *agentLeg.CallSid
	}
	if l.CallbackTo != "" {
		cp := &api.CreateCallParams{}
		cp.SetTo(l.CallbackTo).SetFrom(c.cfg.From).SetUrl(c.url("/bridge", l.ID, "leg", "callback")).
			SetStatusCallback(c.url("/status", l.ID, "leg", "callback")).SetStatusCallbackEvent([]string{"answered", "completed"}).
			SetTimeout(30)
		call, err := c.twilio.API(ctx).CreateCall(cp)
		if err != nil {
			return nil, fmt.Errorf("callback to caller: %w", err)
		}
		legs["callback_call_sid"] = *call.Sid
		return legs, nil
	}
	up := &api.UpdateCallParams{}
	up.SetUrl(c.url("/bridge", l.ID)).SetMethod("POST")
	if _, err := c.twilio.API(ctx).UpdateCall(l.ProviderSID, up); err != nil {
		return nil, fmt.Errorf("redirect caller: %w", err)
	}
	legs["customer_call_sid"] = l.ProviderSID
	return legs, nil
}

func (c *Channel) record(ctx context.Context, id, agentID int64, kind interactions.Kind, data map[string]any) error {
	return c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		return interactions.AddEvent(ctx, tx, now, id, kind, agentID, data)
	})
}

// handleBridge is the TwiML of a caller's leg once an agent has accepted:
// the conference. A callback leg first hears who is calling.
func (c *Channel) handleBridge(w http.ResponseWriter, r *http.Request) error {
	cf, err := c.parseCall(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("leg") == "callback" {
		return c.bridgeCallback(w, r, cf)
	}
	l, err := c.callInteraction(r.Context(), cf)
	if err != nil {
		return err
	}
	return c.writeTwiML(w, c.conferenceTwiML(l.ID)...)
}

func (c *Channel) bridgeCallback(w http.ResponseWriter, r *http.Request, cf callForm) error {
	l, err := interactions.Load(r.Context(), c.store.Pool(), cf.Interaction)
	if err != nil || l.CallbackTo == "" || l.CallbackTo != cf.To {
		return switchboard.Errorf(switchboard.ErrForbidden, "call %s is not a callback of interaction %d", cf.CallSID, cf.Interaction)
	}
	if l.State != switchboard.StateConnected {
		return c.writeTwiML(w, &twiml.VoiceHangup{})
	}
	els := append([]twiml.Element{&twiml.VoiceSay{Message: c.cfg.Menu.CallbackGreet[l.Language], Language: sayLanguage(l.Language)}},
		c.conferenceTwiML(l.ID)...)
	return c.writeTwiML(w, els...)
}
