package agentdesk_test

import (
	"encoding/json"
	"testing"
	"time"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/routing"
)

type directoryJSON struct {
	Queues []struct {
		Name    string `json:"name"`
		Title   string `json:"title"`
		TitleZh string `json:"title_zh"`
		Waiting int    `json:"waiting"`
	} `json:"queues"`
	Agents []struct {
		ID       int64           `json:"id"`
		Name     string          `json:"name"`
		State    string          `json:"state"`
		Reason   string          `json:"reason"`
		Free     map[string]bool `json:"free"`
		Load     map[string]int  `json:"load"`
		Capacity map[string]int  `json:"capacity"`
	} `json:"agents"`
}

func askDirectory(t *testing.T, d *desk) directoryJSON {
	t.Helper()
	var x directoryJSON
	if err := json.Unmarshal(d.ok("directory", nil), &x); err != nil {
		t.Fatal(err)
	}
	return x
}

// TestDirectoryNamesQueuesAndAgentsWithStates checks the pickers' source:
// every queue with its titles and waiting count, every logged-in agent with
// a state a person reads, and load and capacity for supervisors only.
func TestDirectoryNamesQueuesAndAgentsWithStates(t *testing.T) {
	c := newCentre(t, routing.Config{})
	n := c.node(agentdesk.Config{})
	_, supToken := c.agent("zhou", switchboard.RoleSupervisor)
	liID, liToken := c.agent("li", switchboard.RoleAgent)
	chenID, chenToken := c.agent("chen", switchboard.RoleAgent)
	c.agent("wu", switchboard.RoleAgent) // never logs in: not in the directory

	chen := dial(t, n, chenToken)
	chen.expect("sync", nil)
	chen.ok("set_state", map[string]any{"state": "break", "reason": "lunch"})
	c.arrive(n, 0, switchboard.TierStandard)

	sup := dial(t, n, supToken)
	sup.expect("sync", nil)
	x := askDirectory(t, sup)
	if len(x.Queues) != 2 || x.Queues[0].Name != "general" || x.Queues[0].Title != "General" || x.Queues[0].TitleZh != "综合" ||
		x.Queues[0].Waiting != 1 || x.Queues[1].Name != "wealth" || x.Queues[1].Waiting != 0 {
		t.Fatalf("queues = %+v, want general (1 waiting) and wealth", x.Queues)
	}
	if len(x.Agents) != 1 || x.Agents[0].ID != chenID || x.Agents[0].Name != "Chen" || x.Agents[0].State != "break" ||
		x.Agents[0].Reason != "lunch" || x.Agents[0].Free["sms"] || x.Agents[0].Capacity["sms"] == 0 {
		t.Fatalf("agents = %+v, want Chen on a lunch break with a capacity", x.Agents)
	}

	li := dial(t, n, liToken)
	li.expect("sync", nil)
	li.ok("set_state", map[string]any{"state": "available"})
	li.expect("offer", nil)
	var busy string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, a := range askDirectory(t, sup).Agents {
			if a.ID == liID {
				busy = a.State
			}
		}
		if busy == "busy" {
			break
		}
	}
	if busy != "busy" {
		t.Fatalf("Li holding an offer is %q, want busy", busy)
	}

	// An agent sees names and states, for a warm transfer, but not loads.
	for _, a := range askDirectory(t, li).Agents {
		if a.Load != nil || a.Capacity != nil || a.Name == "" || a.State == "" {
			t.Fatalf("an agent's directory shows %+v", a)
		}
	}
}
