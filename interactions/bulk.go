package interactions

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// A history (the demo bank's, or one imported from an older system) is
// loaded with COPY, millions of rows at a time, rather than through Create:
// the rows are over, need no routing, and carry their own ids.

// HistoryColumns are the columns of each row CopyHistory takes, in order.
var HistoryColumns = []string{"id", "channel", "direction", "state", "customer_id", "queue", "tier", "agent_id",
	"from_addr", "to_addr", "disposition", "created_at", "answered_at", "ended_at", "end_reason", "language"}

// HistoryEventColumns are the columns of each row CopyHistoryEvents takes,
// in order; data is JSON text.
var HistoryEventColumns = []string{"interaction_id", "at", "kind", "agent_id", "data"}

// Copier is a pool or a connection.
type Copier interface {
	CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
}

// CopyHistory streams finished interactions (rows of HistoryColumns) into
// the interactions table, and returns how many it wrote. The caller sets
// the id sequence past the ids it gave once it has copied them all.
func CopyHistory(ctx context.Context, db Copier, rows pgx.CopyFromSource) (int64, error) {
	n, err := db.CopyFrom(ctx, pgx.Identifier{"interactions"}, HistoryColumns, rows)
	if err != nil {
		return n, fmt.Errorf("interactions: copy history: %w", err)
	}
	return n, nil
}

// CopyHistoryEvents streams the events of copied interactions (rows of
// HistoryEventColumns), and returns how many it wrote.
func CopyHistoryEvents(ctx context.Context, db Copier, rows pgx.CopyFromSource) (int64, error) {
	n, err := db.CopyFrom(ctx, pgx.Identifier{"interaction_events"}, HistoryEventColumns, rows)
	if err != nil {
		return n, fmt.Errorf("interactions: copy history events: %w", err)
	}
	return n, nil
}
