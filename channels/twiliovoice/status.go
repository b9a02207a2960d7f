package twiliovoice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/interactions"
)

var terminal = map[string]bool{"completed": true, "busy": true, "failed": true, "no-answer": true, "canceled": true}

// handleStatus takes call progress. Only the end of a leg matters here:
//
//   - the caller's own call ends in the IVR or while waiting: abandoned,
//     out of the queue at once (unless a callback was asked for);
//   - the caller's call, or the callback leg, ends after the bridge: the
//     conversation is over and the agent goes to wrap-up;
//   - the agent's leg ends first: the same.
func (c *Channel) handleStatus(w http.ResponseWriter, r *http.Request) error {
	cf, err := c.parseCall(r)
	if err != nil {
		return err
	}
	if terminal[cf.Status] {
		if err := c.legEnded(r.Context(), cf, r.URL.Query().Get("leg")); err != nil {
			return fmt.Errorf("twiliovoice: call %s ended: %w", cf.CallSID, err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *Channel) legEnded(ctx context.Context, cf callForm, leg string) error {
	if leg == "" {
		// Durable first: if it cannot be stored the callback is answered
		// 5xx; once it is, whatever fails below the sweep finishes.
		if err := noteEnded(ctx, c.store.Pool(), cf.CallSID, cf.Status, time.Now()); err != nil {
			return err
		}
		if err := c.callerGone(ctx, cf); err != nil {
			c.log.Warn("voice: caller's call ended; the sweep will finish", "call", cf.CallSID, "err", err)
		}
		return nil
	}
	return c.legGone(ctx, cf, leg)
}

// callerGone ends what the caller's own call held.
func (c *Channel) callerGone(ctx context.Context, cf callForm) error {
	l, err := interactions.BySID(ctx, c.store.Pool(), cf.CallSID)
	if errors.Is(err, switchboard.ErrNotFound) {
		c.log.Warn("voice: status for an unknown call (kept: its webhook may come late)", "call", cf.CallSID)
		return nil
	}
	if err != nil {
		return err
	}
	return c.ended(ctx, l, "", cf.Status)
}

// legGone ends what an agent's or a callback's leg held.
func (c *Channel) legGone(ctx context.Context, cf callForm, leg string) error {
	var l interactions.Live
	var err error
	switch leg {
	case "agent", "callback":
		l, err = interactions.Load(ctx, c.store.Pool(), cf.Interaction)
	default:
		return invalid("unknown leg %q", leg)
	}
	if errors.Is(err, switchboard.ErrNotFound) {
		c.log.Warn("voice: status for an unknown call", "call", cf.CallSID)
		return nil
	}
	if err != nil {
		return err
	}
	return c.ended(ctx, l, leg, cf.Status)
}

// ended applies the end of leg ("" for the caller's call) to l.
func (c *Channel) ended(ctx context.Context, l interactions.Live, leg, status string) error {
	switch {
	case l.State == switchboard.StateQueued && l.Queue == "":
		return c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
			return interactions.EndBeforeRouting(ctx, tx, now, l.ID, "hangup_in_ivr")
		})
	case (l.State == switchboard.StateQueued || l.State == switchboard.StateOffered) && leg == "" && l.CallbackTo == "":
		return c.abandon(ctx, l)
	case l.State == switchboard.StateConnected && (leg != "" || l.CallbackTo == ""):
		return c.complete(ctx, l, leg, status)
	}
	return nil
}

// abandon takes a waiting caller who hung up out of routing.
func (c *Channel) abandon(ctx context.Context, l interactions.Live) error {
	err := c.router.Cancel(ctx, l.ID, "hangup")
	if errors.Is(err, switchboard.ErrNotFound) || errors.Is(err, switchboard.ErrUnavailable) {
		// Not in Redis (lost in a restart), or Redis away: the caller has
		// gone either way, so close the row directly; a rebuild from
		// PostgreSQL then never offers the call.
		return c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
			return interactions.EndBeforeRouting(ctx, tx, now, l.ID, "hangup")
		})
	}
	if errors.Is(err, switchboard.ErrConflict) {
		// Answered at the same moment: the bridge will find the call gone.
		return nil
	}
	return err
}

// complete ends a bridged conversation; the agent goes to wrap-up.
func (c *Channel) complete(ctx context.Context, l interactions.Live, leg, status string) error {
	if err := c.record(ctx, l.ID, l.AgentID, interactions.KindLegEnded, map[string]any{"leg": legName(leg), "status": status}); err != nil {
		return err
	}
	err := c.router.Complete(ctx, l.AgentID, l.ID)
	if errors.Is(err, switchboard.ErrNotFound) {
		return nil // the other leg's end completed it already
	}
	if err != nil {
		return fmt.Errorf("twiliovoice: complete %d: %w", l.ID, err)
	}
	return nil
}

func legName(leg string) string {
	if leg == "" {
		return "caller"
	}
	return leg
}

// confForm is a conference status callback.
type confForm struct {
	ConferenceSID, Name, Event, CallSID, Label string
	Seq                                        int
	Interaction                                int64
	Data                                       map[string]any
}

var (
	conferenceSID = regexp.MustCompile(`^CF[0-9a-fA-F]{32}$`)
	labelRe       = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// confKinds are the conference events kept in the interaction's
	// history, and the event kind each becomes.
	confKinds = map[string]interactions.Kind{"conference-start": interactions.KindConferenceStarted,
		"conference-end": interactions.KindConferenceEnded, "participant-join": interactions.KindConferenceJoined,
		"participant-leave": interactions.KindConferenceLeft}
	confReasons = regexp.MustCompile(`^[a-z_-]{1,64}$`)
)

// parseConference checks a conference callback strictly: anything
// malformed is ErrInvalid and changes nothing.
func parseConference(f, q url.Values) (confForm, error) {
	cf := confForm{ConferenceSID: f.Get("ConferenceSid"), Name: f.Get("FriendlyName"), Event: f.Get("StatusCallbackEvent"),
		CallSID: f.Get("CallSid"), Label: f.Get("ParticipantLabel")}
	var err error
	switch {
	case !conferenceSID.MatchString(cf.ConferenceSID):
		return confForm{}, invalid("ConferenceSid is not a conference SID")
	case confKinds[cf.Event] == "":
		return confForm{}, invalid("StatusCallbackEvent %q is not a conference event we asked for", clip(cf.Event))
	case strings.HasPrefix(cf.Event, "participant-") && !callSID.MatchString(cf.CallSID):
		return confForm{}, invalid("CallSid is not a call SID")
	case cf.Label != "" && !labelRe.MatchString(cf.Label):
		return confForm{}, invalid("ParticipantLabel is not a label")
	}
	if cf.Seq, err = strconv.Atoi(f.Get("SequenceNumber")); err != nil || cf.Seq < 0 {
		return confForm{}, invalid("SequenceNumber is not a number")
	}
	if cf.Interaction, err = strconv.ParseInt(q.Get("i"), 10, 64); err != nil || cf.Interaction <= 0 {
		return confForm{}, invalid("i is not an interaction id")
	}
	cf.Data = map[string]any{"conference_sid": cf.ConferenceSID, "seq": cf.Seq}
	if cf.CallSID != "" {
		cf.Data["call_sid"], cf.Data["leg"] = cf.CallSID, legOf(cf.Label)
	}
	for key, field := range map[string]string{"reason": "ReasonParticipantLeft", "call_status": "ParticipantCallStatus",
		"ended_by": "ReasonConferenceEnded"} {
		if v := f.Get(field); v != "" && confReasons.MatchString(v) {
			cf.Data[key] = v
		}
	}
	return cf, nil
}

// legOf names a participant by the label we gave it.
func legOf(label string) string {
	if label == "agent" || label == "customer" {
		return label
	}
	return "other"
}

// handleConference keeps the conference's events in the interaction's
// history: when it started, when the customer and the agent joined and
// left (and why: hung up, removed), and how it ended. Supervisors reading
// a call see who hung up first and how long both were really connected,
// which the legs' own call statuses do not tell. A retried callback is
// recorded once.
func (c *Channel) handleConference(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return invalid("body is not a form")
	}
	cf, err := parseConference(r.PostForm, r.URL.Query())
	if err == nil {
		err = c.recordConference(r.Context(), cf)
	}
	switch {
	case errors.Is(err, switchboard.ErrInvalid) || errors.Is(err, switchboard.ErrForbidden):
		return err
	case errors.Is(err, switchboard.ErrNotFound):
		c.log.Warn("voice: conference event for an unknown interaction", "conference", cf.ConferenceSID, "interaction", cf.Interaction)
	case err != nil:
		return fmt.Errorf("twiliovoice: conference event %s: %w", cf.ConferenceSID, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *Channel) recordConference(ctx context.Context, cf confForm) error {
	kind := confKinds[cf.Event]
	return c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		l, err := interactions.LoadForUpdate(ctx, tx, cf.Interaction) // serialises retries of one callback
		if err != nil {
			return err
		}
		if l.Channel != switchboard.ChannelVoice || cf.Name != twilio.ConferenceName(l.ID) {
			return switchboard.Errorf(switchboard.ErrForbidden, "conference %q is not interaction %d's", clip(cf.Name), l.ID)
		}
		seen, err := interactions.ConferenceEventSeen(ctx, tx, l.ID, kind, cf.ConferenceSID, cf.Seq)
		if err != nil || seen {
			return err
		}
		agent := int64(0)
		if cf.Data["leg"] == "agent" {
			agent = l.AgentID
		}
		return interactions.AddEvent(ctx, tx, now, l.ID, kind, agent, cf.Data)
	})
}
