package agentdesk

import (
	"slices"
	"testing"

	"switchboard/internal/testenv"
)

// TestUnseenKeys holds unseen.lua to the one key breakAgentsWithoutDesk
// passes it: the seen set, by name.
func TestUnseenKeys(t *testing.T) {
	if got := testenv.LuaKeyNames(t, unseenLua); !slices.Equal(got, []string{"seen"}) {
		t.Fatalf("unseen.lua names its keys %v, want [seen]", got)
	}
}
