package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/keyspace"
)

// TestEligibleAgentFarDownTheFreeList: 200 agents are free, the longest
// idle first; only the 100th to the 200th have the complaints skill. A
// complaints call is offered at once, to the longest idle of those.
func TestEligibleAgentFarDownTheFreeList(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	var agents []AgentProfile
	for id := int64(1); id <= 200; id++ {
		var skills []string
		if id >= 100 {
			skills = []string{"complaints"}
		}
		agents = append(agents, agent(id, skills))
	}
	e, rec := memEngine(t, Config{Agents: agents, Queues: []Queue{{Name: "complaints", Skills: []string{"complaints"}}}}, clk)
	for _, a := range agents {
		must(t, e.Login(ctx, a.ID))
		clk.Advance(time.Second)
	}
	rec.take()
	must(t, e.Enqueue(ctx, Task{InteractionID: 1, Channel: voice, Queue: "complaints", Tier: switchboard.TierMass}))
	if got := offers(rec.take())[1]; got != 100 {
		t.Fatalf("call offered to agent %d, want 100 (the longest idle agent who serves complaints)", got)
	}
}

// TestNoEligibleFreeAgentLeftIdle builds small random worlds (agents with
// random skills, tiers and capacities; calls needing random skills, some
// for a relationship manager) and applies random operations; after each,
// no waiting interaction may remain that a free agent could take (free:
// available, with room on the channel, and holding fewer offers than it
// may at a time).
func TestNoEligibleFreeAgentLeftIdle(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) { idleWorld(t, seed) })
	}
}

var worldSkills = []string{"cards", "loans", "lang:en", "lang:zh"}

func randomSkills(rng *rand.Rand, p float64) []string {
	var out []string
	for _, s := range worldSkills {
		if rng.Float64() < p {
			out = append(out, s)
		}
	}
	return out
}

func idleWorld(t *testing.T, seed uint64) {
	ctx := context.Background()
	clk := newClock()
	rng := rand.New(rand.NewPCG(seed, 17))
	nAgents := 2 + rng.IntN(10)
	var agents []AgentProfile
	for id := int64(1); id <= int64(nAgents); id++ {
		var tiers []switchboard.ValueTier
		for _, tr := range allTiers {
			if rng.IntN(2) == 0 {
				tiers = append(tiers, tr)
			}
		}
		p := agent(id, randomSkills(rng, 0.6), tiers...)
		p.Capacity = map[switchboard.Channel]int{}
		for _, ch := range switchboard.Channels {
			if rng.IntN(2) == 0 {
				p.Capacity[ch] = 1 + rng.IntN(3)
			}
		}
		agents = append(agents, p)
	}
	e, _ := memEngine(t, Config{Agents: agents, WrapUp: 2 * time.Second}, clk)
	next := int64(1)
	step := func(what string, err error) {
		t.Helper()
		if err != nil && !errors.Is(err, switchboard.ErrNotFound) && !errors.Is(err, switchboard.ErrConflict) {
			t.Fatalf("%s: %v", what, err)
		}
		if err := e.idleEligible(ctx); err != nil {
			t.Fatalf("after %s: %v", what, err)
		}
	}
	for _, a := range agents {
		step("login", e.Login(ctx, a.ID))
	}
	for range 300 {
		agentID := int64(1 + rng.IntN(nAgents))
		id := int64(1 + rng.Int64N(next))
		switch r := rng.IntN(100); {
		case r < 35:
			tk := Task{InteractionID: next, Channel: switchboard.Channels[rng.IntN(3)], Queue: "general",
				Tier: switchboard.ValueTiers[rng.IntN(4)], Skills: randomSkills(rng, 0.3)}
			if rng.IntN(5) == 0 {
				tk.PreferredAgent = agentID
			}
			next++
			step("enqueue", e.Enqueue(ctx, tk))
		case r < 40:
			step("cancel", e.Cancel(ctx, id, "hangup"))
		case r < 55:
			step("accept", e.Accept(ctx, agentID, id))
		case r < 60:
			step("decline", e.Decline(ctx, agentID, id))
		case r < 75:
			step("complete", e.Complete(ctx, agentID, id))
		case r < 80:
			step("wrap-up done", e.WrapUpDone(ctx, agentID, id))
		case r < 84:
			step("break", e.SetState(ctx, agentID, AgentBreak, "coffee"))
		case r < 90:
			step("available", e.SetState(ctx, agentID, AgentAvailable, ""))
		case r < 92:
			step("logout", e.Logout(ctx, agentID))
			step("login", e.Login(ctx, agentID))
		default:
			clk.Advance(time.Duration(rng.IntN(40)) * time.Second)
			step("sweep", e.Sweep(ctx))
		}
	}
}

// idleEligible reports a waiting interaction that a free agent could take.
func (e *Engine) idleEligible(ctx context.Context) error {
	tasks, raw, err := snapshot(ctx, e.rdb, e.keys)
	if err != nil {
		return err
	}
	agents := map[int64]wireAgent{}
	for _, v := range raw {
		var a wireAgent
		if err := json.Unmarshal([]byte(v), &a); err != nil {
			return err
		}
		agents[a.ID] = a
	}
	now := e.now().UnixMilli()
	for _, t := range tasks {
		if t.St != "queued" {
			continue
		}
		for _, a := range agents {
			if a.canTake(t, now) {
				return fmt.Errorf("interaction %d (%s, tier %s, skills %v, RM %d) waits while agent %d (%+v) is free for it",
					t.ID, t.Ch, t.T, t.Sk, t.P, a.ID, a)
			}
		}
	}
	return nil
}

// canTake mirrors the routing rules: the agent is free for t's channel
// and eligible for t now.
func (a wireAgent) canTake(t wireTask, now int64) bool {
	ld := a.Ld
	switch {
	case a.S != "available" || a.Cap[t.Ch] <= ld[t.Ch], a.Op > 0 && a.Of >= a.Op:
		return false
	case t.Ch == "voice" && ld["chat"]+ld["sms"] > 0, t.Ch != "voice" && ld["voice"] > 0:
		return false
	case t.P != 0 && now < t.RU:
		return a.ID == t.P
	}
	hi := t.R
	if t.RS > 0 {
		hi += int((now - t.E) / t.RS)
	}
	ok := false
	for r := t.R; r <= min(hi, 3); r++ {
		ok = ok || a.Tm&(1<<r) != 0
	}
	for _, s := range t.Sk {
		ok = ok && a.Sk[s]
	}
	return ok
}

// TestOldLayoutIsMigrated: a Redis written by the engine before the
// free-agent index holds one free set per channel ("avail:<channel>") and
// agents without a group. The first call moves them into the index.
func TestOldLayoutIsMigrated(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{Agents: []AgentProfile{agent(1, nil), agent(2, []string{"cards"})},
		Queues: []Queue{{Name: "general"}, {Name: "cards", Skills: []string{"cards"}}}}, clk)
	must(t, e.Login(ctx, 1))
	clk.Advance(time.Second)
	must(t, e.Login(ctx, 2))
	// Rewrite the state as the old layout kept it.
	raw, err := e.rdb.HGetAll(ctx, e.keys.key(keyspace.Agent)).Result()
	must(t, err)
	must(t, e.clearFreeIndex(ctx))
	for id, v := range raw {
		var a map[string]any
		must(t, json.Unmarshal([]byte(v), &a))
		delete(a, "g")
		b, err := json.Marshal(a)
		must(t, err)
		must(t, e.rdb.HSet(ctx, e.keys.key(keyspace.Agent), id, b).Err())
		for _, k := range e.keys.legacyFree() {
			must(t, e.rdb.ZAdd(ctx, k, redis.Z{Score: a["idle"].(float64), Member: id}).Err())
		}
	}
	rec.take()
	must(t, e.Enqueue(ctx, Task{InteractionID: 7, Channel: chat, Queue: "cards", Tier: switchboard.TierMass}))
	if got := offers(rec.take())[7]; got != 2 {
		t.Fatalf("chat offered to %d, want 2", got)
	}
	n, err := e.rdb.Exists(ctx, e.keys.legacyFree()...).Result()
	must(t, err)
	if n != 0 {
		t.Fatalf("%d sets of the old layout are left", n)
	}
	must(t, e.Enqueue(ctx, task(8, voice, switchboard.TierMass)))
	if got := offers(rec.take())[8]; got != 1 {
		t.Fatalf("call offered to %d, want 1", got)
	}
}

// clearFreeIndex deletes the free-agent index (registries and sets).
func (e *Engine) clearFreeIndex(ctx context.Context) error {
	for _, ch := range switchboard.Channels {
		reg := e.keys.Free(string(ch))
		groups, err := e.rdb.HKeys(ctx, reg).Result()
		if err != nil {
			return err
		}
		for _, g := range groups {
			if err := e.rdb.Del(ctx, e.keys.freeGroup(string(ch), g)).Err(); err != nil {
				return err
			}
		}
		if err := e.rdb.Del(ctx, reg).Err(); err != nil {
			return err
		}
	}
	return nil
}
