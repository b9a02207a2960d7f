package twiliosms

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels"
	"switchboard/pgdb"
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
		var m channels.Message
		var old string
		var agent *int64
		err := tx.QueryRow(ctx, `SELECT id, interaction_id, status, agent_id FROM messages
			WHERE (id = $1 AND direction = 'outbound' AND (provider_sid IS NULL OR provider_sid = $2))
			   OR ($1 = 0 AND provider_sid = $2) FOR UPDATE`, id, st.MessageSID).Scan(&m.ID, &m.InteractionID, &old, &agent)
		if err == pgx.ErrNoRows {
			c.log.Warn("sms: status for unknown message", "sid", st.MessageSID, "id", id)
			return nil
		}
		if err != nil {
			return fmt.Errorf("twiliosms: status of %s: %w", st.MessageSID, pgdb.FormatError(err))
		}
		if statusRank[st.Status] <= statusRank[old] && old != "" {
			return nil
		}
		var code any
		if st.ErrorCode != 0 {
			code = st.ErrorCode
		}
		_, err = tx.Exec(ctx, `UPDATE messages SET status = $2, status_at = $3, provider_sid = $4, error_code = COALESCE($5, error_code) WHERE id = $1`,
			m.ID, st.Status, now, st.MessageSID, code)
		if err != nil {
			return fmt.Errorf("twiliosms: status of %s: %w", st.MessageSID, pgdb.FormatError(err))
		}
		m.Status, m.ProviderSID, m.Direction = st.Status, st.MessageSID, switchboard.Outbound
		if agent != nil {
			m.AgentID = *agent
		}
		ev = &channels.Event{Kind: "status", InteractionID: m.InteractionID, Channel: switchboard.ChannelSMS, AgentID: m.AgentID, Message: &m}
		return nil
	})
	return ev, err
}
