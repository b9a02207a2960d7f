package routing

import (
	"embed"

	"github.com/redis/go-redis/v9"
)

//go:embed lua/*.lua
var luaFiles embed.FS

// scripts are the routing decisions, one Lua script each.
type scripts struct {
	enqueue, match, accept, decline, complete, wrapdone, cancel, transfer, sweep, presence, restore *redis.Script
}

func loadScripts() scripts {
	return scripts{
		enqueue: script("enqueue", false), match: script("match", false), accept: script("accept", false),
		decline: script("decline", false), complete: script("complete", false), wrapdone: script("wrapdone", false),
		cancel: script("cancel", false), transfer: script("transfer", false), sweep: script("sweep", false),
		presence: script("presence", false), restore: script("restore", true),
	}
}

// script is common.lua followed by the named script. skipAlive lets the
// restore script run while the sentinel is missing.
func script(name string, skipAlive bool) *redis.Script {
	common := embedded(luaFiles.ReadFile("lua/common.lua"))
	body := embedded(luaFiles.ReadFile("lua/" + name + ".lua"))
	head := "local SKIP_ALIVE = false\n"
	if skipAlive {
		head = "local SKIP_ALIVE = true\n"
	}
	return redis.NewScript(head + string(common) + "\n" + string(body))
}

func embedded(b []byte, err error) []byte {
	if err != nil {
		panic(err) // the files are embedded: a missing one is a build mistake
	}
	return b
}
