package interactions

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// Message is one message of an SMS thread or a chat.
type Message struct {
	ID            int64                 `json:"id"`
	InteractionID int64                 `json:"interaction_id"`
	Direction     switchboard.Direction `json:"direction"`
	AgentID       int64                 `json:"agent_id,omitempty"`
	Body          string                `json:"body"`
	MediaURLs     []string              `json:"media_urls"`
	ProviderSID   string                `json:"provider_sid,omitempty"`
	ClientMsgID   string                `json:"client_msg_id,omitempty"`
	Status        string                `json:"status"`
	At            time.Time             `json:"at"`
}

// InsertMessage stores m (its ID and At are set). If a message with the same
// provider SID, or the same client message id in the interaction, exists,
// nothing is written, m is filled from the stored copy and dup is true: the
// retry of a webhook or the resend of a chat frame.
func InsertMessage(ctx context.Context, tx pgx.Tx, now time.Time, m *Message) (dup bool, err error) {
	if m.MediaURLs == nil {
		m.MediaURLs = []string{}
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO messages (interaction_id, direction, agent_id, body, media_urls, provider_sid, client_msg_id, status, created_at, status_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
		ON CONFLICT DO NOTHING RETURNING id`,
		m.InteractionID, m.Direction, nullID(m.AgentID), m.Body, m.MediaURLs, nullText(m.ProviderSID), nullText(m.ClientMsgID),
		m.Status, now).Scan(&m.ID)
	if err == nil {
		m.At = now
		return false, nil
	}
	if err != pgx.ErrNoRows {
		return false, fmt.Errorf("interactions: insert message: %w", pgdb.FormatError(err))
	}
	return true, existingMessage(ctx, tx, m)
}

func existingMessage(ctx context.Context, tx pgx.Tx, m *Message) error {
	var agent *int64
	var sid, cid *string
	err := tx.QueryRow(ctx, `
		SELECT id, interaction_id, direction, agent_id, body, media_urls, provider_sid, client_msg_id, status, created_at
		FROM messages
		WHERE ($1::text IS NOT NULL AND provider_sid = $1)
		   OR ($2::text IS NOT NULL AND interaction_id = $3 AND client_msg_id = $2)
		LIMIT 1`, nullText(m.ProviderSID), nullText(m.ClientMsgID), m.InteractionID).
		Scan(&m.ID, &m.InteractionID, &m.Direction, &agent, &m.Body, &m.MediaURLs, &sid, &cid, &m.Status, &m.At)
	if err != nil {
		return fmt.Errorf("interactions: find resent message: %w", pgdb.FormatError(err))
	}
	m.AgentID, m.ProviderSID, m.ClientMsgID = deref(agent), derefS(sid), derefS(cid)
	return nil
}

// Messages returns the messages of an interaction after message id after,
// oldest first, at most 1000: the transcript, or what a reconnecting chat
// missed.
func (s *Store) Messages(ctx context.Context, interactionID, after int64) ([]Message, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, interaction_id, direction, COALESCE(agent_id, 0), body, media_urls,
		       COALESCE(provider_sid, ''), COALESCE(client_msg_id, ''), status, created_at
		FROM messages WHERE interaction_id = $1 AND id > $2 ORDER BY id LIMIT 1000`, interactionID, after)
	if err != nil {
		return nil, fmt.Errorf("interactions: messages of %d: %w", interactionID, err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		err := r.Scan(&m.ID, &m.InteractionID, &m.Direction, &m.AgentID, &m.Body, &m.MediaURLs, &m.ProviderSID, &m.ClientMsgID, &m.Status, &m.At)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("interactions: messages of %d: %w", interactionID, err)
	}
	return msgs, nil
}

// LockForStatus locks, for a delivery status of provider id sid, the
// outbound message id (whose stored provider id, if any, must be sid), or
// with id 0 the message of sid. The message has its ID, InteractionID,
// AgentID and stored Status. ErrNotFound if there is none.
func LockForStatus(ctx context.Context, tx pgx.Tx, id int64, sid string) (Message, error) {
	var m Message
	var agent *int64
	err := tx.QueryRow(ctx, `SELECT id, interaction_id, status, agent_id FROM messages
		WHERE (id = $1 AND direction = 'outbound' AND (provider_sid IS NULL OR provider_sid = $2))
		   OR ($1 = 0 AND provider_sid = $2) FOR UPDATE`, id, sid).Scan(&m.ID, &m.InteractionID, &m.Status, &agent)
	if errors.Is(err, pgx.ErrNoRows) {
		return Message{}, switchboard.Errorf(switchboard.ErrNotFound, "no message %d or %s", id, sid)
	}
	if err != nil {
		return Message{}, fmt.Errorf("interactions: status of %s: %w", sid, pgdb.FormatError(err))
	}
	m.AgentID = deref(agent)
	return m, nil
}

// Status is a delivery status the provider reported for a message.
type Status struct {
	Status      string
	ProviderSID string
	ErrorCode   int // the provider's error code; 0 keeps the stored one
}

// SetStatus records st on message id, as of now. Whether st is later than
// the stored status is the caller's rule (LockForStatus reads it).
func SetStatus(ctx context.Context, tx pgx.Tx, now time.Time, id int64, st Status) error {
	var code any
	if st.ErrorCode != 0 {
		code = st.ErrorCode
	}
	_, err := tx.Exec(ctx, `UPDATE messages SET status = $2, status_at = $3, provider_sid = $4, error_code = COALESCE($5, error_code) WHERE id = $1`,
		id, st.Status, now, st.ProviderSID, code)
	if err != nil {
		return fmt.Errorf("interactions: status of %s: %w", st.ProviderSID, pgdb.FormatError(err))
	}
	return nil
}

// SetStatusBySID records status on the message of provider id sid, as of
// now; no such message changes nothing.
func SetStatusBySID(ctx context.Context, tx pgx.Tx, now time.Time, sid, status string) error {
	if _, err := tx.Exec(ctx, `UPDATE messages SET status = $2, status_at = $3 WHERE provider_sid = $1`, sid, status, now); err != nil {
		return fmt.Errorf("interactions: status of %s: %w", sid, pgdb.FormatError(err))
	}
	return nil
}

// RecordSent stores what the provider answered when asked to send message
// id: its provider id sid (unless one is stored; "" for none) and status,
// unless a status callback has already moved the message past "sending".
func RecordSent(ctx context.Context, q Execer, now time.Time, id int64, sid, status string) error {
	_, err := q.Exec(ctx, `UPDATE messages SET provider_sid = COALESCE(provider_sid, NULLIF($2, '')),
		status = CASE WHEN status IN ('sending', '') THEN $3 ELSE status END, status_at = $4 WHERE id = $1`,
		id, sid, status, now)
	if err != nil {
		return fmt.Errorf("interactions: record send of %d: %w", id, pgdb.FormatError(err))
	}
	return nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func derefS(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
