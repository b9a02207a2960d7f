package keyspace

import (
	"strings"
	"testing"
	"time"
)

// TestNames holds every name to the one running deployments use: a
// changed name strands their data.
func TestNames(t *testing.T) {
	c := New("sb:", "main")
	day := time.Date(2026, 12, 4, 23, 30, 0, 0, time.FixedZone("UTC+8", 8*3600))
	acct, acctLock := c.LoginAccount("00ff")
	src, srcLock := c.LoginSource("2001:db8::/64")
	names := map[string]struct{ got, want string }{
		"alive":        {c.Routing(Alive), "sb:{main}:alive"},
		"seq":          {c.Routing(Seq), "sb:{main}:seq"},
		"task":         {c.Routing(Task), "sb:{main}:task"},
		"tstate":       {c.Routing(TaskState), "sb:{main}:tstate"},
		"ended":        {c.Routing(Ended), "sb:{main}:task:ended"},
		"agent":        {c.Routing(Agent), "sb:{main}:agent"},
		"res":          {c.Routing(Offers), "sb:{main}:res"},
		"timers":       {c.Routing(Timers), "sb:{main}:timers"},
		"wrap":         {c.Routing(WrapUps), "sb:{main}:wrap"},
		"wrap start":   {c.Routing(WrapStart), "sb:{main}:wrap:start"},
		"byq":          {c.Routing(ByQueue), "sb:{main}:byq"},
		"rebuilding":   {c.Routing(Rebuilding), "sb:{main}:rebuilding"},
		"rebuild gen":  {c.Routing(RebuildGen), "sb:{main}:rebuild:gen"},
		"rebuild acks": {c.Routing(RebuildAcks), "sb:{main}:rebuild:acks"},
		"reconciled":   {c.Routing(Reconciled), "sb:{main}:reconciled"},
		"wait":         {c.Wait("chat"), "sb:{main}:wait:chat"},
		"free":         {c.Free("sms"), "sb:{main}:free:sms"},
		"free group":   {c.FreeGroup("voice", "ab12"), "sb:{main}:free:voice:ab12"},
		"legacy free":  {c.LegacyFree("voice"), "sb:{main}:avail:voice"},
		"stats":        {c.Stats(day), "sb:{main}:stats:20261204"},
		"events":       {c.RoutingEvents(), "sb:{main}:events"},
		"desk events":  {c.DeskEvents(), "sb:channels:{main}:events"},
		"claim":        {c.Claim("bridge:1:2"), "sb:channels:{main}:claim:bridge:1:2"},
		"desk seen":    {c.DeskSeen(), "sb:agentdesk:{main}:seen"},
		"chat limit":   {c.ChatLimit("msg-ip") + "203.0.113.7", "sb:chat:{main}:limit:msg-ip:203.0.113.7"},
		"account":      {acct, "sb:agents:{main}:login:acct:00ff"},
		"account lock": {acctLock, "sb:agents:{main}:login:acct:00ff:lock"},
		"source":       {src, "sb:agents:{main}:login:src:2001:db8::/64"},
		"source lock":  {srcLock, "sb:agents:{main}:login:src:2001:db8::/64:lock"},
	}
	for name, n := range names {
		if n.got != n.want {
			t.Errorf("%s: %q, want %q", name, n.got, n.want)
		}
		if !strings.HasPrefix(n.got, "sb:") || !strings.Contains(n.got, "{main}:") {
			t.Errorf("%s: %q lacks the prefix or the centre's hash tag", name, n.got)
		}
	}
}

// TestRoutingScript holds the scripts' KEYS to their names: the key at
// each place is the one its name says, the day's statistics last.
func TestRoutingScript(t *testing.T) {
	c := New("p:", "c")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	keys, names := c.RoutingScript(now), RoutingScriptNames()
	if len(keys) != len(names) {
		t.Fatalf("%d keys, %d names", len(keys), len(names))
	}
	for i, k := range keys {
		want := "p:{c}:" + strings.ReplaceAll(names[i], "_", ":")
		if names[i] == "stats" {
			want = c.Stats(now)
		}
		if k != want {
			t.Errorf("key %d (%s) is %q, want %q", i+1, names[i], k, want)
		}
	}
	// The slice is the caller's: appending to one never shows in another.
	a := append(c.RoutingScript(now), "x")
	if b := c.RoutingScript(now.AddDate(0, 0, 1)); b[len(b)-1] == a[len(a)-1] || len(b) != len(keys) {
		t.Fatalf("script keys share storage: %v", b)
	}
}
