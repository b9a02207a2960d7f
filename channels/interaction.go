package channels

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// Live is an interaction as a channel sees it while it is going on.
type Live struct {
	switchboard.Interaction
	CallbackTo string // the number to call back, for a voice caller who chose it
	Language   string
}

const liveColumns = `id, channel, direction, state, COALESCE(customer_id, 0), queue, tier, COALESCE(agent_id, 0),
	from_addr, to_addr, COALESCE(provider_sid, ''), ivr_path, created_at, callback_to, language`

func scanLive(row pgx.Row) (Live, error) {
	var l Live
	err := row.Scan(&l.ID, &l.Channel, &l.Direction, &l.State, &l.CustomerID, &l.Queue, &l.Tier, &l.AgentID,
		&l.From, &l.To, &l.ProviderSID, &l.IVRPath, &l.CreatedAt, &l.CallbackTo, &l.Language)
	return l, err
}

// Querier is a pool or a transaction.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// LoadInteraction reads interaction id; ErrNotFound if there is none. With
// lock (inside a transaction) the row is locked until the transaction ends.
func LoadInteraction(ctx context.Context, q Querier, id int64, lock bool) (Live, error) {
	sql := `SELECT ` + liveColumns + ` FROM interactions WHERE id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	l, err := scanLive(q.QueryRow(ctx, sql, id))
	if err != nil {
		return Live{}, fmt.Errorf("channels: interaction %d: %w", id, pgdb.FormatError(err))
	}
	return l, nil
}

// AgentOf is the agent the interaction is offered to or held by, or 0
// when none is (it is queued or over). Routing writes the row's agent
// before it answers the agent's accept, so a customer's message sent after
// the agent sees the chat open is addressed to them. ErrNotFound if there
// is no such interaction.
func AgentOf(ctx context.Context, q Querier, id int64) (int64, error) {
	var agent int64
	err := q.QueryRow(ctx, `SELECT COALESCE(agent_id, 0) FROM interactions WHERE id = $1`, id).Scan(&agent)
	if err != nil {
		return 0, fmt.Errorf("channels: agent of interaction %d: %w", id, pgdb.FormatError(err))
	}
	return agent, nil
}

// InteractionBySID reads the interaction of a provider id (a CallSid);
// ErrNotFound if there is none.
func InteractionBySID(ctx context.Context, q Querier, sid string) (Live, error) {
	l, err := scanLive(q.QueryRow(ctx, `SELECT `+liveColumns+` FROM interactions WHERE provider_sid = $1`, sid))
	if err != nil {
		return Live{}, fmt.Errorf("channels: interaction of %s: %w", sid, pgdb.FormatError(err))
	}
	return l, nil
}

// EndBeforeRouting closes an interaction that never reached routing (the
// caller hung up in the IVR): state abandoned, with reason, and an event.
// An interaction already past queued is left alone.
func EndBeforeRouting(ctx context.Context, tx pgx.Tx, now time.Time, id int64, reason string) error {
	tag, err := tx.Exec(ctx, `UPDATE interactions SET state = 'abandoned', ended_at = $2, end_reason = $3
		WHERE id = $1 AND state = 'queued'`, id, now, reason)
	if err != nil {
		return fmt.Errorf("channels: end interaction %d: %w", id, pgdb.FormatError(err))
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	return AddEvent(ctx, tx, now, id, "abandoned", 0, map[string]any{"reason": reason})
}

// CheckAgent returns nil if agentID is the agent connected to the
// interaction: the interaction row names them, or its latest acceptance
// event does. Otherwise ErrForbidden: an agent may only write to a customer
// they are serving.
func CheckAgent(ctx context.Context, q Querier, l Live, agentID int64) error {
	if agentID != 0 && l.AgentID == agentID {
		return nil
	}
	var last int64
	err := q.QueryRow(ctx, `SELECT COALESCE((SELECT agent_id FROM interaction_events
		WHERE interaction_id = $1 AND kind IN ('accepted', 'transferred', 'wrapup') AND agent_id IS NOT NULL
		ORDER BY id DESC LIMIT 1), 0)`, l.ID).Scan(&last)
	if err != nil {
		return fmt.Errorf("channels: agent of %d: %w", l.ID, pgdb.FormatError(err))
	}
	if agentID == 0 || last != agentID {
		return switchboard.Errorf(switchboard.ErrForbidden, "interaction %d is not yours", l.ID)
	}
	return nil
}
