package twiliosms

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels"
	"switchboard/interactions"
)

// handleStatus records a delivery status. The message is found by the id
// in the callback URL (set when it was sent, so a callback that overtakes
// the send's response still finds it) or else by MessageSid. A status that
// is not later than the stored one is ignored; an unknown message is
// acknowledged and logged, since Twilio cannot fix it by retrying.
func (c *Channel) handleStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(r); err != nil {
		return err
	}
	st, err := parseStatus(r.PostForm)
	if err != nil {
		return err
	}
	var id int64
	if m := r.URL.Query().Get("m"); m != "" {
		if id, err = strconv.ParseInt(m, 10, 64); err != nil || id <= 0 {
			return switchboard.Errorf(switchboard.ErrInvalid, "m is not a message id")
		}
	}
	ev, err := c.recordStatus(r.Context(), id, st)
	if err != nil {
		return err
	}
	if ev != nil {
		if err := c.bus.Publish(r.Context(), *ev); err != nil {
			c.log.Warn("sms: publish status", "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (c *Channel) recordStatus(ctx context.Context, id int64, st status) (*channels.Event, error) {
	var ev *channels.Event
	err := c.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		m, err := interactions.LockForStatus(ctx, tx, id, st.MessageSID)
		if errors.Is(err, switchboard.ErrNotFound) {
			c.log.Warn("sms: status for unknown message", "sid", st.MessageSID, "id", id)
			return nil
		}
		if err != nil {
			return fmt.Errorf("twiliosms: %w", err)
		}
		if old := m.Status; statusRank[st.Status] <= statusRank[old] && old != "" {
			return nil
		}
		err = interactions.SetStatus(ctx, tx, now, m.ID, interactions.Status{Status: st.Status, ProviderSID: st.MessageSID, ErrorCode: st.ErrorCode})
		if err != nil {
			return fmt.Errorf("twiliosms: %w", err)
		}
		m.Status, m.ProviderSID, m.Direction = st.Status, st.MessageSID, switchboard.Outbound
		ev = &channels.Event{Kind: "status", InteractionID: m.InteractionID, Channel: switchboard.ChannelSMS, AgentID: m.AgentID, Message: &m}
		return nil
	})
	return ev, err
}
