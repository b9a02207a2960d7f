// Package keyspace names everything Switchboard keeps in Redis: every key
// and pub/sub channel of one contact centre is built here, from the run's
// prefix and the centre's hash tag "{centre}", so that all of them land in
// one Redis Cluster slot (a routing call, a Lua script, a MULTI may touch
// any of them together). This file and the Lua in routing/lua answer "what
// is in Redis": each name below says its Redis type, which package owns it
// (writes it; others may read), and how long it lives.
//
// The names are those deployments run with; changing one strands the data
// of every running process under the old name.
package keyspace

import (
	"strings"
	"time"
)

// Centre builds the names of one contact centre. The zero value is not
// usable; call New.
type Centre struct {
	prefix string
	tag    string   // "{centre}"
	script []string // the routing scripts' KEYS but the last (the day's statistics)
}

// New returns the key space of centre under prefix (the run's, such as
// "sb:"; tests use one of their own).
func New(prefix, centre string) Centre {
	c := Centre{prefix: prefix, tag: "{" + centre + "}"}
	for _, name := range routingScript[:len(routingScript)-1] {
		c.script = append(c.script, c.Routing(name))
	}
	return c
}

// key is the one function that builds a name: prefix, area (the owning
// package's; none for routing's), hash tag, name.
func (c Centre) key(area, name string) string {
	if area == "" {
		return c.prefix + c.tag + ":" + name
	}
	return c.prefix + area + ":" + c.tag + ":" + name
}

// RoutingKey names a key of the routing engine (package routing, whose Lua
// operations in routing/lua write them all in one atomic call; the engine's
// Go code reads them and rebuilds them from Postgres). Routing keys have no
// area: prefix + "{centre}:" + name.
type RoutingKey string

// The routing engine's keys. "Until lost" means: kept until Redis loses
// its data, when the engine rebuilds them from Postgres (routing/rebuild.go).
const (
	// Alive is a string, the sentinel of the routing state (set to when the
	// state was restored, ms): absent means Redis lost the state, and every
	// operation refuses (NOSTATE) until a rebuild sets it again. Until lost.
	Alive RoutingKey = "alive"
	// Seq is a string counter (INCR): the arrival order of interactions and
	// the decision number "v" of every event. A rebuild raises it above the
	// highest number Postgres holds. Until lost.
	Seq RoutingKey = "seq"
	// Task is a hash, interaction id -> the JSON of the task (what stays the
	// same while it is routed; see lua/common.lua). A field lives from
	// enqueue to done or abandoned.
	Task RoutingKey = "task"
	// TaskState is a hash, interaction id -> "state|agent|expiry|..." (what
	// each step reads and writes; see parse_state in lua/common.lua). Same
	// life as the Task field.
	TaskState RoutingKey = "tstate"
	// Ended is a sorted set, "id|done" or "id|abandoned" -> when it ended
	// (ms): what Reconcile compares Postgres with. Lua names it Task ..
	// ":ended". The sweep trims it to the last hour.
	Ended RoutingKey = "task:ended"
	// Agent is a hash, agent id -> the JSON of a logged-in agent (profile,
	// state, load, offers). A field lives from login to offline.
	Agent RoutingKey = "agent"
	// Offers is a sorted set, interaction id -> offer expiry (ms): the live
	// reservations. A member lives from offer to accept, decline or expiry.
	Offers RoutingKey = "res"
	// Timers is a sorted set, interaction id -> when its overflow is due
	// (ms). A member lives while the interaction waits in its queue.
	Timers RoutingKey = "timers"
	// WrapUps is a sorted set, interaction id -> wrap-up end (ms). A member
	// lives from complete to the end of wrap-up.
	WrapUps RoutingKey = "wrap"
	// WrapStart is a hash, interaction id -> when its wrap-up began (ms),
	// the base of the longest wrap-up an extension may reach. Lua names it
	// WrapUps .. ":start". Same life as the WrapUps member.
	WrapStart RoutingKey = "wrap:start"
	// ByQueue is a sorted set of equal scores, ordered by member
	// "queue|tier|arrival|id": the waiting interactions of each queue, for
	// the wallboard and Waiting. A member lives while the interaction waits.
	ByQueue RoutingKey = "byq"
	// Rebuilding is a string lock (SET NX, one minute): held by the one
	// process rebuilding the state from Postgres; deleted when it is done.
	Rebuilding RoutingKey = "rebuilding"
	// RebuildGen is a string (ten minutes, deleted when the rebuild is
	// done): the generation naming the loss being rebuilt from.
	RebuildGen RoutingKey = "rebuild:gen"
	// RebuildAcks is a hash, node -> the generation it answered (ten
	// minutes, deleted with RebuildGen): which running engines have
	// written the records of their decisions before the loss.
	RebuildAcks RoutingKey = "rebuild:acks"
	// Reconciled is a string (SET NX, 9/10 of Config.ReconcileEvery): the
	// one process that reconciles Postgres with Redis in each period.
	Reconciled RoutingKey = "reconciled"
)

// Routing is routing key name.
func (c Centre) Routing(name RoutingKey) string { return c.key("", string(name)) }

// Wait is a sorted set of the interactions waiting on channel ch (voice,
// chat, sms): member "seq:id|rank|..." (wait_member in lua/common.lua),
// score the arrival (ms) less the tier's credit. Owned by routing; a member
// lives while the interaction waits. Until lost.
func (c Centre) Wait(ch string) string { return c.Routing(RoutingKey("wait:" + ch)) }

// Free is a hash, group -> signature ("tiers|skills"): the groups of agents
// of which one or more are free on channel ch (the free-agent index in
// lua/common.lua). Owned by routing; a field lives while its group has a
// free agent. Until lost.
func (c Centre) Free(ch string) string { return c.Routing(RoutingKey("free:" + ch)) }

// FreeGroup is a sorted set of the free agents of group g on channel ch,
// scored by choice order. Lua names it Free(ch) .. ":" .. g. Owned by
// routing; deleted when its last agent is taken out. Until lost.
func (c Centre) FreeGroup(ch, g string) string { return c.Free(ch) + ":" + g }

// LegacyFree is the sorted set of free agents on channel ch of the layout
// before the free-agent index. Lua names it "avail:" .. ch beside Free(ch).
// Routing moves its agents into the index and deletes it the first time it
// finds one; nothing writes it now.
func (c Centre) LegacyFree(ch string) string { return c.Routing(RoutingKey("avail:" + ch)) }

// Stats is a hash of routing's counters for the day of now (UTC): field
// "<minute>|queue|tier|metric" for the rolling window, "d|queue|tier|metric"
// for the day. Owned by routing's Lua (stat in lua/common.lua); it expires
// three days after its last new counter.
func (c Centre) Stats(now time.Time) string {
	return c.Routing(RoutingKey("stats:" + now.UTC().Format("20060102")))
}

// routingScript is the KEYS of every routing operation, in order; the
// last is Stats, of the call's day.
var routingScript = []RoutingKey{Alive, Seq, Task, Agent, "wait:voice", "wait:chat", "wait:sms",
	"free:voice", "free:chat", "free:sms", Offers, Timers, WrapUps, ByQueue, TaskState, "stats"}

// RoutingScriptNames are the names routing/lua/common.lua gives the KEYS of
// every routing call, in order (a key's name with "_" for ":"); a test
// holds the Lua to them.
func RoutingScriptNames() []string {
	names := make([]string, len(routingScript))
	for i, k := range routingScript {
		names[i] = strings.ReplaceAll(string(k), ":", "_")
	}
	return names
}

// RoutingScript returns the KEYS every routing operation is given at now,
// in the order of RoutingScriptNames: one layout for all, so no operation
// reaches a key it was not given but those it derives from them (Ended,
// WrapStart, FreeGroup, LegacyFree), which share the hash tag.
func (c Centre) RoutingScript(now time.Time) []string {
	return append(c.script[:len(c.script):len(c.script)], c.Stats(now))
}

// RoutingEvents is the pub/sub channel of routing events: each routing
// call publishes one message, its events as JSON one per line. Every
// process subscribes once (routing.Engine.Subscribe fans it out).
func (c Centre) RoutingEvents() string { return c.Routing("events") }

// DeskEvents is the pub/sub channel of what the agents' desks are told
// besides routing: a channel's messages, typing and delivery status, and
// frames for one agent's desks on whichever node holds them (package
// channels, Bus). Each message is one JSON channels.Event. It kept the name
// it had when it carried only the channels' events; the desk's own frames
// went on "agentdesk:{centre}:tell" until they joined it.
func (c Centre) DeskEvents() string { return c.key("channels", "events") }

// Claim is a string (SET NX with the claim's time to live): the first
// node to set it does the job name once (channels.Bus.Claim; the voice
// bridge of an acceptance). It expires.
func (c Centre) Claim(name string) string { return c.key("channels", "claim:"+name) }

// DeskSeen is a sorted set, agent id -> when a node last saw an open desk
// of the agent (Unix ms). Owned by agentdesk: every node refreshes the
// agents it holds; agentdesk/unseen.lua takes out those not seen for the
// desk-gone time. A member lives while the agent has a desk open anywhere.
func (c Centre) DeskSeen() string { return c.key("agentdesk", "seen") }

// ChatLimit is the start of the names of web chat rate limit name's
// buckets: each bucket is a string, ChatLimit(name) + the client's key (an
// address, a customer), holding the GCRA state of channels/webchat's
// ratelimit.lua (µs). Owned by webchat; it expires when the bucket is full
// again.
func (c Centre) ChatLimit(name string) string { return c.key("chat", "limit:"+name+":") }

// LoginAccount is the pair of strings counting the failed sign-ins of one
// account (digest: of its lower-cased username) and locking it. Owned by
// agents (Guard, lua/login_failed.lua): the count expires a while after
// its last failure, the lock after its time; both are deleted at a
// successful sign-in.
func (c Centre) LoginAccount(digest string) (count, lock string) {
	count = c.key("agents", "login:acct:"+digest)
	return count, count + ":lock"
}

// LoginSource is LoginAccount for one source address (an IPv6 source by
// its /64); a successful sign-in does not delete it.
func (c Centre) LoginSource(addr string) (count, lock string) {
	count = c.key("agents", "login:src:"+addr)
	return count, count + ":lock"
}
