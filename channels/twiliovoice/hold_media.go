package twiliovoice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/interactions"
)

// Hold puts the customer of a bridged call on hold, hearing the hold
// music, or brings them back into the conference with the agent. The
// agent's leg stays where it is, so the agent hears silence, not music.
// ErrConflict if the call was never bridged or its conference has ended;
// ErrUnavailable if Twilio refuses.
func (c *Channel) Hold(ctx context.Context, interactionID int64, hold bool) error {
	callSID, err := c.customerLeg(ctx, interactionID)
	if err != nil {
		return err
	}
	conf, err := c.conferenceSID(ctx, twilio.ConferenceName(interactionID))
	if err != nil {
		return err
	}
	p := &api.UpdateParticipantParams{}
	p.SetHold(hold)
	if hold {
		p.SetHoldUrl(c.cfg.Menu.HoldMusic).SetHoldMethod("GET")
	}
	if _, err := c.twilio.API(ctx).UpdateParticipant(conf, callSID, p); err != nil {
		c.log.Warn("voice: hold", "interaction", interactionID, "hold", hold, "err", err)
		if twilio.IsNotFound(err) {
			return switchboard.Errorf(switchboard.ErrConflict, "the call is no longer in its conference")
		}
		return switchboard.Errorf(switchboard.ErrUnavailable, "Twilio could not change the hold")
	}
	return nil
}

// customerLeg is the customer's call in the interaction's conference, as
// the last bridge recorded it: the caller, or the callback to them.
func (c *Channel) customerLeg(ctx context.Context, interactionID int64) (string, error) {
	raw, err := interactions.LastEventData(ctx, c.store.Pool(), interactionID, interactions.KindBridging)
	if errors.Is(err, switchboard.ErrNotFound) {
		return "", switchboard.Errorf(switchboard.ErrConflict, "the call of interaction %d is not bridged to an agent", interactionID)
	}
	if err != nil {
		return "", fmt.Errorf("twiliovoice: legs of %d: %w", interactionID, err)
	}
	var legs struct {
		Customer string `json:"customer_call_sid"`
		Callback string `json:"callback_call_sid"`
	}
	if err := json.Unmarshal(raw, &legs); err != nil {
		return "", fmt.Errorf("twiliovoice: legs of %d: %w", interactionID, err)
	}
	if legs.Callback != "" {
		return legs.Callback, nil
	}
	if legs.Customer == "" {
		return "", switchboard.Errorf(switchboard.ErrConflict, "the call of interaction %d has no customer leg", interactionID)
	}
	return legs.Customer, nil
}

// conferenceSID looks up the live conference called name: Twilio updates
// participants by the conference's SID, not its name.
func (c *Channel) conferenceSID(ctx context.Context, name string) (string, error) {
	lp := &api.ListConferenceParams{}
	lp.SetFriendlyName(name).SetStatus("in-progress").SetLimit(1)
	cs, err := c.twilio.API(ctx).ListConference(lp)
	switch {
	case err != nil:
		return "", switchboard.Errorf(switchboard.ErrUnavailable, "Twilio could not find the call's conference")
	case len(cs) == 0 || cs[0].Sid == nil:
		return "", switchboard.Errorf(switchboard.ErrConflict, "the call's conference has ended")
	}
	return *cs[0].Sid, nil
}
