package agentdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// handover is one move of the interaction between agents or queues before
// it reached the viewer: a transfer with the handing agent's note, or an
// overflow to another queue (the note of the transfer before it still
// shows, so an overflowed transfer keeps its context).
type handover struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // transfer or overflow
	By      string    `json:"by,omitempty"`
	Mode    string    `json:"mode,omitempty"` // warm or cold
	Note    string    `json:"note,omitempty"`
	ToQueue string    `json:"to_queue,omitempty"`
	ToAgent string    `json:"to_agent,omitempty"`
}

// handoversOf reads interaction id's transfers and overflows, oldest first.
func (d *Desk) handoversOf(ctx context.Context, id int64) ([]handover, error) {
	rows, err := d.deps.Pool.Query(ctx, `SELECT e.at, CASE e.kind WHEN 'overflowed' THEN 'overflow' ELSE 'transfer' END,
			COALESCE(a.name, ''), COALESCE(e.data->>'mode', ''), COALESCE(e.data->>'note', ''),
			COALESCE(NULLIF(e.data->>'to_queue', ''), e.data->>'queue', ''), COALESCE(t.name, '')
		FROM interaction_events e
		LEFT JOIN agents a ON a.id = e.agent_id AND e.kind = 'transfer_requested'
		LEFT JOIN agents t ON t.id = NULLIF(e.data->>'to_agent', '')::bigint
		WHERE e.interaction_id = $1 AND e.kind IN ('transfer_requested', 'overflowed')
		ORDER BY e.id LIMIT 50`, id)
	if err != nil {
		return nil, fmt.Errorf("agentdesk: handovers of %d: %w", id, err)
	}
	hs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (handover, error) {
		var h handover
		err := r.Scan(&h.At, &h.Kind, &h.By, &h.Mode, &h.Note, &h.ToQueue, &h.ToAgent)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("agentdesk: handovers of %d: %w", id, err)
	}
	return hs, nil
}

// withOverflow completes the handovers of an interaction offered from
// queue: routing tells the offer before its overflow record is in
// Postgres, so a transfer to another queue followed by no overflow means
// the overflow is on its way, and is shown now.
func withOverflow(hs []handover, queue string, at time.Time) []handover {
	if len(hs) == 0 || queue == "" {
		return hs
	}
	last := hs[len(hs)-1]
	if last.ToQueue == "" || last.ToQueue == queue {
		return hs
	}
	return append(hs, handover{At: at, Kind: "overflow", ToQueue: queue})
}
