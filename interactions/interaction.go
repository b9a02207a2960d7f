package interactions

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// Live is an interaction as the channels and the desk read it while it
// goes on: the row, with the number to call back and the language.
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

// Create inserts in (its ID is set) and its first event, KindCreated, with
// data. in.CreatedAt is now; an empty tier is TierMass. in.EndedAt and
// in.EndReason are stored as given, for an interaction recorded already
// over (a campaign's text). A ProviderSID stored before is ErrConflict.
func Create(ctx context.Context, tx pgx.Tx, now time.Time, in *switchboard.Interaction, language string, data map[string]any) error {
	if in.Tier == "" {
		in.Tier = switchboard.TierMass
	}
	in.CreatedAt = now
	path := in.IVRPath
	if path == nil {
		path = []string{}
	}
	var ended *time.Time
	if !in.EndedAt.IsZero() {
		ended = &in.EndedAt
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO interactions (channel, direction, state, customer_id, queue, tier, from_addr, to_addr, provider_sid,
			ivr_path, language, created_at, ended_at, end_reason)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		in.Channel, in.Direction, in.State, nullID(in.CustomerID), in.Queue, in.Tier, in.From, in.To, nullText(in.ProviderSID),
		path, language, now, ended, in.EndReason).Scan(&in.ID)
	if err != nil {
		return fmt.Errorf("interactions: create %s interaction: %w", in.Channel, pgdb.FormatError(err))
	}
	return AddEvent(ctx, tx, now, in.ID, KindCreated, 0, data)
}

// Load reads interaction id; ErrNotFound if there is none.
func Load(ctx context.Context, q pgdb.Querier, id int64) (Live, error) {
	return load(ctx, q, `SELECT `+liveColumns+` FROM interactions WHERE id = $1`, id)
}

// LoadForUpdate is Load that locks the row until tx ends, which serialises
// the writers of one interaction (a reply and its resend, the retries of
// one callback).
func LoadForUpdate(ctx context.Context, tx pgx.Tx, id int64) (Live, error) {
	return load(ctx, tx, `SELECT `+liveColumns+` FROM interactions WHERE id = $1 FOR UPDATE`, id)
}

func load(ctx context.Context, q pgdb.Querier, sql string, id int64) (Live, error) {
	l, err := scanLive(q.QueryRow(ctx, sql, id))
	if err != nil {
		return Live{}, fmt.Errorf("interactions: interaction %d: %w", id, pgdb.FormatError(err))
	}
	return l, nil
}

// BySID reads the interaction of a provider id (a CallSid); ErrNotFound if
// there is none.
func BySID(ctx context.Context, q pgdb.Querier, sid string) (Live, error) {
	l, err := scanLive(q.QueryRow(ctx, `SELECT `+liveColumns+` FROM interactions WHERE provider_sid = $1`, sid))
	if err != nil {
		return Live{}, fmt.Errorf("interactions: interaction of %s: %w", sid, pgdb.FormatError(err))
	}
	return l, nil
}

// AgentOf is the agent the interaction is offered to or held by, or 0
// when none is (it is queued or over). Routing writes the row's agent
// before it answers the agent's accept, so a customer's message sent after
// the agent sees the chat open is addressed to them. ErrNotFound if there
// is no such interaction.
func AgentOf(ctx context.Context, q pgdb.Querier, id int64) (int64, error) {
	var agent int64
	err := q.QueryRow(ctx, `SELECT COALESCE(agent_id, 0) FROM interactions WHERE id = $1`, id).Scan(&agent)
	if err != nil {
		return 0, fmt.Errorf("interactions: agent of interaction %d: %w", id, pgdb.FormatError(err))
	}
	return agent, nil
}

// HeldBy reads the agent's offered, connected and wrap-up interactions,
// oldest first, at most 100.
func HeldBy(ctx context.Context, q pgdb.Querier, agentID int64) ([]Live, error) {
	rows, err := q.Query(ctx, `SELECT id FROM interactions
		WHERE agent_id = $1 AND state IN ('offered', 'connected', 'wrapup') ORDER BY id LIMIT 100`, agentID)
	if err != nil {
		return nil, fmt.Errorf("interactions: live interactions of %d: %w", agentID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("interactions: live interactions of %d: %w", agentID, err)
	}
	out := make([]Live, 0, len(ids))
	for _, id := range ids {
		l, err := Load(ctx, q, id)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Languages reads the language of each interaction of ids ("" when none
// was chosen); an unknown id is left out.
func Languages(ctx context.Context, q pgdb.Querier, ids []int64) (map[int64]string, error) {
	rows, err := q.Query(ctx, `SELECT id, coalesce(language, '') FROM interactions WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("interactions: languages: %w", err)
	}
	defer rows.Close()
	langs := make(map[int64]string, len(ids))
	for rows.Next() {
		var id int64
		var lang string
		if err := rows.Scan(&id, &lang); err != nil {
			return nil, fmt.Errorf("interactions: languages: %w", err)
		}
		langs[id] = lang
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("interactions: languages: %w", err)
	}
	return langs, nil
}

// EndBeforeRouting closes an interaction that never reached routing (the
// caller hung up in the IVR): state abandoned, with reason, and a
// KindAbandoned event. An interaction already past queued is left alone.
func EndBeforeRouting(ctx context.Context, tx pgx.Tx, now time.Time, id int64, reason string) error {
	tag, err := tx.Exec(ctx, `UPDATE interactions SET state = 'abandoned', ended_at = $2, end_reason = $3
		WHERE id = $1 AND state = 'queued'`, id, now, reason)
	if err != nil {
		return fmt.Errorf("interactions: end interaction %d: %w", id, pgdb.FormatError(err))
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	return AddEvent(ctx, tx, now, id, KindAbandoned, 0, map[string]any{"reason": reason})
}

// CheckAgent returns nil if agentID is the agent connected to the
// interaction: the interaction row names them, or its latest acceptance
// event does. Otherwise ErrForbidden: an agent may only write to a customer
// they are serving.
func CheckAgent(ctx context.Context, q pgdb.Querier, l Live, agentID int64) error {
	if agentID != 0 && l.AgentID == agentID {
		return nil
	}
	var last int64
	err := q.QueryRow(ctx, `SELECT COALESCE((SELECT agent_id FROM interaction_events
		WHERE interaction_id = $1 AND kind IN ('accepted', 'transferred', 'wrapup') AND agent_id IS NOT NULL
		ORDER BY id DESC LIMIT 1), 0)`, l.ID).Scan(&last)
	if err != nil {
		return fmt.Errorf("interactions: agent of %d: %w", l.ID, pgdb.FormatError(err))
	}
	if agentID == 0 || last != agentID {
		return switchboard.Errorf(switchboard.ErrForbidden, "interaction %d is not yours", l.ID)
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
