package twiliovoice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels"
)

var terminal = map[string]bool{"completed": true, "busy": true, "failed": true, "no-answer": true, "canceled": true}

// handleStatus takes call progress. Only the end of a leg matters here:
//
//   - the caller's own call ends in the IVR or while waiting: abandoned,
//     out of the queue at once (unless a callback was asked for);
//   - the caller's call, or the callback leg, ends after the bridge: the
//     conversation is over and the agent goes to wrap-up;
//   - the agent's leg ends first: the same.
func (c *Channel) handleStatus(w http.ResponseWriter, r *http.Request) {
	cf, err := c.parseCall(r)
	if err != nil {
		c.writeError(w, r, err)
		return
	}
	if terminal[cf.Status] {
		if err := c.legEnded(r.Context(), cf, r.URL.Query().Get("leg")); err != nil {
			c.log.Error("voice: call ended", "call", cf.CallSID, "err", err)
			http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *Channel) legEnded(ctx context.Context, cf callForm, leg string) error {
	var l channels.Live
	var err error
	switch leg {
	case "":
		l, err = channels.InteractionBySID(ctx, c.store.Pool(), cf.CallSID)
	case "agent", "callback":
		l, err = channels.LoadInteraction(ctx, c.store.Pool(), cf.Interaction, false)
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
	switch {
	case l.State == switchboard.StateQueued && l.Queue == "":
		return c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
			return channels.EndBeforeRouting(ctx, tx, now, l.ID, "hangup_in_ivr")
		})
	case (l.State == switchboard.StateQueued || l.State == switchboard.StateOffered) && leg == "" && l.CallbackTo == "":
		return c.abandon(ctx, l)
	case l.State == switchboard.StateConnected && (leg != "" || l.CallbackTo == ""):
		return c.complete(ctx, l, leg, cf.Status)
	}
	return nil
}

// abandon takes a waiting caller who hung up out of routing.
func (c *Channel) abandon(ctx context.Context, l channels.Live) error {
	err := c.router.Cancel(ctx, l.ID, "hangup")
	if errors.Is(err, switchboard.ErrNotFound) {
		// Not in Redis (lost in a restart): close the row directly.
		return c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
			return channels.EndBeforeRouting(ctx, tx, now, l.ID, "hangup")
		})
	}
	if errors.Is(err, switchboard.ErrConflict) {
		// Answered at the same moment: the bridge will find the call gone.
		return nil
	}
	return err
}

// complete ends a bridged conversation; the agent goes to wrap-up.
func (c *Channel) complete(ctx context.Context, l channels.Live, leg, status string) error {
	if err := c.record(ctx, l.ID, l.AgentID, "leg_ended", map[string]any{"leg": legName(leg), "status": status}); err != nil {
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
