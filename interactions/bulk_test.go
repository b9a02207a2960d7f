package interactions_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard/interactions"
)

// TestCopyHistory loads finished interactions and their events in bulk,
// in the column order the package names, and they read back as any other.
func TestCopyHistory(t *testing.T) {
	e := newEnv(t)
	cust := e.customer("Li Wei", "+8613800000001", "vip")
	at := e.now.Add(-48 * time.Hour)
	ended := at.Add(5 * time.Minute)
	rows := [][]any{{int64(7), "voice", "inbound", "done", cust, "general", "vip", nil, "+8613800000001", "+8657188880000",
		"enquiry", at, at.Add(time.Minute), ended, "completed", "zh"}}
	if len(rows[0]) != len(interactions.HistoryColumns) {
		t.Fatalf("the row has %d values for %d columns", len(rows[0]), len(interactions.HistoryColumns))
	}
	if n, err := interactions.CopyHistory(e.ctx, e.pool, pgx.CopyFromRows(rows)); err != nil || n != 1 {
		t.Fatalf("CopyHistory = %d, %v", n, err)
	}
	events := [][]any{
		{int64(7), at, string(interactions.KindQueued), nil, `{"queue":"general"}`},
		{int64(7), ended, string(interactions.KindDone), nil, `{"reason":"completed"}`},
	}
	if n, err := interactions.CopyHistoryEvents(e.ctx, e.pool, pgx.CopyFromRows(events)); err != nil || n != 2 {
		t.Fatalf("CopyHistoryEvents = %d, %v", n, err)
	}
	l := mustLoad(t, e, 7)
	if l.CustomerID != cust || l.Language != "zh" || !l.CreatedAt.Equal(at) {
		t.Errorf("copied interaction reads %+v", l)
	}
	if got := e.events(7); len(got) != 2 || got[1] != interactions.KindDone {
		t.Errorf("copied events %v", got)
	}
}
