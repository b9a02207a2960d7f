package routing

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"switchboard"
	"switchboard/internal/keyspace"
	"switchboard/internal/testenv"
)

// TestLuaKeys holds the names the Lua gives the KEYS of a routing call to
// the order the engine passes them in (keyspace.RoutingScript), and the
// keys the Lua derives from them to the names keyspace documents.
func TestLuaKeys(t *testing.T) {
	src := luaText("")
	got, want := testenv.LuaKeyNames(t, src), keyspace.RoutingScriptNames()
	if !slices.Equal(got, want) {
		t.Fatalf("common.lua names the keys %v, the engine passes %v", got, want)
	}
	k := keyspace.New("p:", "c")
	derived := map[string]struct{ lua, key, from string }{
		"wrap start": {"K.wrap .. ':start'", k.Routing(keyspace.WrapStart), k.Routing(keyspace.WrapUps) + ":start"},
		"ended":      {"K.task .. ':ended'", k.Routing(keyspace.Ended), k.Routing(keyspace.Task) + ":ended"},
		"free group": {"AVAIL[ch] .. ':' .. g", k.FreeGroup("chat", "g1"), k.Free("chat") + ":g1"},
		"legacy":     {"base .. 'avail:' .. ch", k.LegacyFree("sms"), strings.TrimSuffix(k.Free("voice"), "free:voice") + "avail:sms"},
	}
	for name, d := range derived {
		if !strings.Contains(src, d.lua) {
			t.Errorf("%s: the Lua no longer derives it as %s", name, d.lua)
		}
		if d.key != d.from {
			t.Errorf("%s: keyspace names it %q, the Lua %q", name, d.key, d.from)
		}
	}
}

// TestLuaStates holds the states the Lua writes and compares to the Go
// constants: an interaction's (switchboard.State), an agent's
// (AgentState), the events it emits (Event*), and how it marks an ended
// interaction for Reconcile.
func TestLuaStates(t *testing.T) {
	src := luaText("")
	for name, c := range map[string]struct {
		pattern string
		want    []string
	}{
		"interaction": {`\bt\.st [=~]?= '(\w+)'`, []string{string(switchboard.StateQueued), string(switchboard.StateOffered),
			string(switchboard.StateConnected), string(switchboard.StateWrapUp)}},
		"agent": {`\ba\.s [=~]?= '(\w+)'`, []string{string(AgentAvailable), string(AgentBreak), string(AgentOffline)}},
		// transferred and overflowed are the kinds the engine passes to
		// transfer.lua; agent_state is emit_agent's.
		"event": {`\bemit\('(\w+)'`, []string{EventQueued, EventOffer, EventOfferWithdrawn, EventAccepted, EventWrapUp,
			EventDone, EventAbandoned}},
		"ended": {`\bdel_task\(t, '(\w+)'\)`, []string{string(switchboard.StateDone), string(switchboard.StateAbandoned)}},
	} {
		found := map[string]bool{}
		for _, m := range regexp.MustCompile(c.pattern).FindAllStringSubmatch(src, -1) {
			found[m[1]] = true
		}
		if got := slices.Sorted(maps.Keys(found)); !slices.Equal(got, slices.Sorted(slices.Values(c.want))) {
			t.Errorf("%s states in the Lua: %v, in Go: %v", name, got, c.want)
		}
	}
	if !strings.Contains(src, `{"k":"agent_state",`) || EventAgentState != "agent_state" {
		t.Errorf("emit_agent publishes another kind than EventAgentState %q", EventAgentState)
	}
}
