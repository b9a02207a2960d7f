package campaigns

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"switchboard"
	"switchboard/channels/twiliosim"
)

// TestExportCSVCellsAreNeverFormulas exports customers whose names are
// formulas: a spreadsheet opening the file shows them as text.
func TestExportCSVCellsAreNeverFormulas(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, monday, twiliosim.Answering{})
	r := w.rig("node-a", DialerConfig{})
	names := []string{`=HYPERLINK("http://evil.example","Click")`, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "Zhang Wei"}
	list := "phone\n"
	for i, n := range names {
		addCustomer(t, r.pool, cust{name: n, phone: phoneN(i)})
		list += phoneN(i) + "\n"
	}
	agent := addAgent(t, r.pool, "li.na", switchboard.RoleAgent)
	c := voiceCampaign("export", Progressive, []int64{agent.ID})
	if err := r.store.Create(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.SetList(ctx, c.ID, strings.NewReader(list)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Move(ctx, c.ID, Scheduled); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := r.store.ExportCSV(ctx, c.ID, agent.ID, &out); err != nil {
		t.Fatal(err)
	}
	var audited int
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE action = 'campaign.export' AND agent_id = $1
		AND (detail->>'campaign_id')::bigint = $2 AND (detail->>'contacts')::int = $3`, agent.ID, c.ID, len(names)).Scan(&audited); err != nil || audited != 1 {
		t.Fatalf("export audited %d times (%v), want once with who, which campaign and how many contacts", audited, err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q would be read as a formula", cell)
			}
		}
		got[row[2]] = true
	}
	for _, n := range names[:len(names)-1] {
		if !got["'"+n] {
			t.Errorf("name %q not exported as text: %v", n, got)
		}
	}
	if !got["Zhang Wei"] {
		t.Errorf("a plain name was changed: %v", got)
	}
}
