package routing

import (
	"time"

	"switchboard/internal/keyspace"
)

// keys names the Redis keys of one contact centre's routing, as
// internal/keyspace builds and documents them. All of them carry the
// centre's hash tag, so one call's keys are in one Redis Cluster slot.
type keys struct{ keyspace.Centre }

func newKeys(prefix, centre string) keys { return keys{keyspace.New(prefix, centre)} }

// key is the routing key name.
func (k keys) key(name keyspace.RoutingKey) string { return k.Routing(name) }

// events is the pub/sub channel every process publishes and reads.
func (k keys) events() string { return k.RoutingEvents() }

// freeGroup is the sorted set of the free agents of group g on channel ch
// (see the free-agent index in lua/common.lua).
func (k keys) freeGroup(ch, g string) string { return k.FreeGroup(ch, g) }

// legacyFree are the free sets of the layout before groups: one per
// channel. An engine that finds them moves their agents into the index.
func (k keys) legacyFree() []string {
	return []string{k.LegacyFree("voice"), k.LegacyFree("chat"), k.LegacyFree("sms")}
}

// rebuildLock is held by the one process rebuilding Redis from Postgres.
func (k keys) rebuildLock() string { return k.key(keyspace.Rebuilding) }

// rebuildGen names the loss being rebuilt from; rebuildAcks holds, by
// node, the generation each peer has answered (see nodes.go).
func (k keys) rebuildGen() string  { return k.key(keyspace.RebuildGen) }
func (k keys) rebuildAcks() string { return k.key(keyspace.RebuildAcks) }

// day is the statistics hash of now's day (UTC).
func (k keys) day(now time.Time) string { return k.Stats(now) }

// script returns the KEYS every routing script is given, in the order the
// scripts' headers list: one layout for all, so no script reaches a key it
// was not given.
func (k keys) script(now time.Time) []string { return k.RoutingScript(now) }
