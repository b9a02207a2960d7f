package routing

import "time"

// keys names every Redis key of one contact centre. All of them carry the
// centre's hash tag, so one call's keys are in one Redis Cluster slot.
type keys struct {
	prefix string
	tag    string
	fixed  []string // the scripts' keys but the last (the day's statistics)
}

func newKeys(prefix, centre string) keys {
	k := keys{prefix: prefix, tag: "{" + centre + "}"}
	for _, n := range []string{"alive", "seq", "task", "agent", "wait:voice", "wait:chat", "wait:sms",
		"free:voice", "free:chat", "free:sms", "res", "timers", "wrap", "byq", "tstate"} {
		k.fixed = append(k.fixed, k.key(n))
	}
	return k
}

// key is the one function that builds a key name.
func (k keys) key(name string) string { return k.prefix + k.tag + ":" + name }

// events is the pub/sub channel every process publishes and reads.
func (k keys) events() string { return k.key("events") }

// freeGroup is the sorted set of the free agents of group g on channel ch
// (see the free-agent index in lua/common.lua).
func (k keys) freeGroup(ch, g string) string { return k.key("free:" + ch + ":" + g) }

// legacyFree are the free sets of the layout before groups: one per
// channel. An engine that finds them moves their agents into the index.
func (k keys) legacyFree() []string {
	return []string{k.key("avail:voice"), k.key("avail:chat"), k.key("avail:sms")}
}

// rebuildLock is held by the one process rebuilding Redis from Postgres.
func (k keys) rebuildLock() string { return k.key("rebuilding") }

// rebuildGen names the loss being rebuilt from; rebuildAcks holds, by
// node, the generation each peer has answered (see nodes.go).
func (k keys) rebuildGen() string  { return k.key("rebuild:gen") }
func (k keys) rebuildAcks() string { return k.key("rebuild:acks") }

// day is the statistics hash of now's day (UTC).
func (k keys) day(now time.Time) string { return k.key("stats:" + now.UTC().Format("20060102")) }

// script returns the KEYS every routing script is given, in the order the
// scripts' headers list: one layout for all, so no script reaches a key it
// was not given.
func (k keys) script(now time.Time) []string {
	return append(k.fixed[:len(k.fixed):len(k.fixed)], k.day(now))
}
