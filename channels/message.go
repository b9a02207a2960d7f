package channels

import (
	"context"
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
	var agent, sid, cid any
	if m.AgentID != 0 {
		agent = m.AgentID
	}
	if m.ProviderSID != "" {
		sid = m.ProviderSID
	}
	if m.ClientMsgID != "" {
		cid = m.ClientMsgID
	}
	err = tx.QueryRow(ctx, `
		INSERT INTO messages (interaction_id, direction, agent_id, body, media_urls, provider_sid, client_msg_id, status, created_at, status_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
		ON CONFLICT DO NOTHING RETURNING id`,
		m.InteractionID, m.Direction, agent, m.Body, m.MediaURLs, sid, cid, m.Status, now).Scan(&m.ID)
	if err == nil {
		m.At = now
		return false, nil
	}
	if err != pgx.ErrNoRows {
		return false, fmt.Errorf("channels: insert message: %w", pgdb.FormatError(err))
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
		LIMIT 1`, nilIfEmpty(m.ProviderSID), nilIfEmpty(m.ClientMsgID), m.InteractionID).
		Scan(&m.ID, &m.InteractionID, &m.Direction, &agent, &m.Body, &m.MediaURLs, &sid, &cid, &m.Status, &m.At)
	if err != nil {
		return fmt.Errorf("channels: find resent message: %w", pgdb.FormatError(err))
	}
	m.AgentID, m.ProviderSID, m.ClientMsgID = deref(agent), derefS(sid), derefS(cid)
	return nil
}

// Messages returns the messages of an interaction after message id after,
// oldest first: the transcript, or what a reconnecting chat missed.
func (s *Store) Messages(ctx context.Context, interactionID, after int64) ([]Message, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, interaction_id, direction, COALESCE(agent_id, 0), body, media_urls,
		       COALESCE(provider_sid, ''), COALESCE(client_msg_id, ''), status, created_at
		FROM messages WHERE interaction_id = $1 AND id > $2 ORDER BY id LIMIT 1000`, interactionID, after)
	if err != nil {
		return nil, fmt.Errorf("channels: messages of %d: %w", interactionID, err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Message, error) {
		var m Message
		err := r.Scan(&m.ID, &m.InteractionID, &m.Direction, &m.AgentID, &m.Body, &m.MediaURLs, &m.ProviderSID, &m.ClientMsgID, &m.Status, &m.At)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("channels: messages of %d: %w", interactionID, err)
	}
	return msgs, nil
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
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
