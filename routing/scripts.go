package routing

import (
	"context"
	"crypto/sha1"
	"embed"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

//go:embed lua/*.lua
var luaFiles embed.FS

// The routing operations, one Lua file each: every routing decision is one
// of them, atomic in Redis.
const (
	opEnqueue  = "enqueue"
	opMatch    = "match"
	opAccept   = "accept"
	opDecline  = "decline"
	opComplete = "complete"
	opWrapDone = "wrapdone"
	opCancel   = "cancel"
	opTransfer = "transfer"
	opSweep    = "sweep"
	opPresence = "presence"
	opRestore  = "restore"
	opExtend   = "extend"
)

// The engine's Lua is one Redis function library: common.lua, each
// operation as a function, and batch.lua, the one function the engine
// calls. Loaded once, it costs a call nothing to set up; as a script
// (EVALSHA) the same code spent more time defining its ~60 functions, at
// every call, than a match itself takes.
//
// The library and function are named after the code's digest, so
// processes of different versions share a Redis without replacing each
// other's code.
var routingFunction, routingLibrary = library()

func library() (function, code string) {
	body := luaText("redis.register_function('FUNCTION', batch)\n")
	sum := sha1.Sum([]byte(body))
	function = "switchboard_" + hex.EncodeToString(sum[:8])
	return function, "#!lua name=" + function + "\n" + strings.Replace(body, "'FUNCTION'", "'"+function+"'", 1)
}

// luaText is common.lua, the operations, batch.lua and then tail.
func luaText(tail string) string {
	var b strings.Builder
	b.Write(embedded(luaFiles.ReadFile("lua/common.lua")))
	b.WriteString("\nlocal OPS = {}\n")
	for _, op := range []string{opEnqueue, opMatch, opAccept, opDecline, opComplete, opWrapDone, opCancel,
		opTransfer, opSweep, opPresence, opRestore, opExtend} {
		fmt.Fprintf(&b, "OPS['%s'] = function()\n%s\nend\n", op, embedded(luaFiles.ReadFile("lua/"+op+".lua")))
	}
	b.Write(embedded(luaFiles.ReadFile("lua/batch.lua")))
	b.WriteString(tail)
	return b.String()
}

// loadLibrary loads the routing library, on every master of a cluster.
func loadLibrary(ctx context.Context, rdb redis.UniversalClient) error {
	if c, ok := rdb.(*redis.ClusterClient); ok {
		return c.ForEachMaster(ctx, func(ctx context.Context, n *redis.Client) error {
			return n.FunctionLoadReplace(ctx, routingLibrary).Err()
		})
	}
	return rdb.FunctionLoadReplace(ctx, routingLibrary).Err()
}

// fcall calls the routing function, loading the library first when Redis
// does not have it (a new or restarted Redis, or a node new to a cluster).
func fcall(ctx context.Context, rdb redis.UniversalClient, keys []string, args ...any) ([]any, error) {
	res, err := rdb.FCall(ctx, routingFunction, keys, args...).Slice()
	if err != nil && strings.Contains(err.Error(), "Function not found") {
		if err := loadLibrary(ctx, rdb); err != nil {
			return nil, fmt.Errorf("routing: load the Lua library: %w", err)
		}
		res, err = rdb.FCall(ctx, routingFunction, keys, args...).Slice()
	}
	return res, err
}

func embedded(b []byte, err error) []byte {
	if err != nil {
		panic(err) // the files are embedded: a missing one is a build mistake
	}
	return b
}
