package agents

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// OpenSessions opens one session for each agent without a password check,
// and returns the tokens in the order of ids. It is for operator tools that
// already act with the database's authority, such as the desk load
// generator with its thousands of synthetic agents (a password check costs
// tens of milliseconds each, by design).
func (s *Store) OpenSessions(ctx context.Context, ids []int64) ([]string, error) {
	tokens := make([]string, len(ids))
	rows := make([][]any, len(ids))
	now := s.now()
	for i, id := range ids {
		raw := make([]byte, 32)
		if _, err := rand.Read(raw); err != nil {
			return nil, fmt.Errorf("agents: token: %w", err)
		}
		tokens[i] = base64.RawURLEncoding.EncodeToString(raw)
		rows[i] = []any{tokenHash(tokens[i]), id, now, now.Add(s.sessionTTL)}
	}
	_, err := s.pool.CopyFrom(ctx, pgx.Identifier{"sessions"}, []string{"token_hash", "agent_id", "created_at", "expires_at"}, pgx.CopyFromRows(rows))
	if err != nil {
		return nil, fmt.Errorf("agents: open %d sessions: %w", len(ids), err)
	}
	return tokens, nil
}
