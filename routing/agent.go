package routing

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"switchboard"
)

func (e *Engine) login(ctx context.Context, agentID int64) error {
	p, err := e.profile(ctx, agentID)
	if err != nil {
		return fmt.Errorf("routing: login %d: %w", agentID, err)
	}
	data, err := json.Marshal(e.wireProfile(p))
	if err != nil {
		return fmt.Errorf("routing: login %d: %w", agentID, err)
	}
	if _, err := e.call(ctx, opPresence, append([]any{"login", string(data)}, e.tail()...)...); err != nil {
		return fmt.Errorf("routing: login %d: %w", agentID, err)
	}
	return nil
}

func (e *Engine) setState(ctx context.Context, agentID int64, st AgentState, reason string) error {
	if _, err := ParseAgentState(string(st)); err != nil {
		return fmt.Errorf("routing: agent %d: %w", agentID, err)
	}
	if st == AgentBreak && reason == "" {
		reason = "break"
	}
	if st == AgentAvailable {
		reason = ""
	}
	if _, err := e.call(ctx, opPresence, append([]any{"state", agentID, string(st), reason}, e.tail()...)...); err != nil {
		return fmt.Errorf("routing: agent %d to %s: %w", agentID, st, err)
	}
	return nil
}

// wireProfile is the login record of p: skills as a set, tiers as a bit mask.
func (e *Engine) wireProfile(p AgentProfile) wireAgent {
	w := wireAgent{ID: p.ID, Sk: map[string]bool{}, Cap: map[string]int{}}
	for _, s := range p.Skills {
		w.Sk[s] = true
	}
	for _, t := range p.Tiers {
		if r := t.Rank(); r >= 0 {
			w.Tm |= 1 << r
		}
	}
	for _, ch := range switchboard.Channels {
		w.Cap[string(ch)] = p.Capacity[ch]
	}
	if e.cfg.Choice == LeastOccupied {
		w.Lo = 1
	}
	w.G = groupOf(w)
	w.Op = max(e.cfg.OffersPerAgent, 0)
	return w
}

// groupOf names the agent's group in the free-agent index: the digest of
// its tiers and sorted skills, "tm|skill\x1fskill", as group_sig in
// lua/common.lua writes it (which names the group of an agent stored
// without one the same way).
func groupOf(w wireAgent) string {
	var sk []string
	for s, on := range w.Sk {
		if on {
			sk = append(sk, s)
		}
	}
	slices.Sort(sk)
	sum := sha1.Sum(fmt.Appendf(nil, "%d|%s", w.Tm, strings.Join(sk, "\x1f")))
	return hex.EncodeToString(sum[:8])
}

// profile reads what routing needs to know about the agent.
func (e *Engine) profile(ctx context.Context, id int64) (AgentProfile, error) {
	if e.pool == nil {
		for _, p := range e.cfg.Agents {
			if p.ID == id {
				if p.Capacity == nil {
					p.Capacity = switchboard.DefaultCapacity()
				}
				return p, nil
			}
		}
		return AgentProfile{}, switchboard.Errorf(switchboard.ErrNotFound, "agent %d not found", id)
	}
	ps, err := e.profiles(ctx, e.pool, []int64{id})
	if err != nil {
		return AgentProfile{}, err
	}
	if len(ps) == 0 {
		return AgentProfile{}, switchboard.Errorf(switchboard.ErrNotFound, "agent %d not found or inactive", id)
	}
	return ps[0], nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// profiles reads the active agents among ids from the agents table.
// Languages become skills "lang:xx".
func (e *Engine) profiles(ctx context.Context, db querier, ids []int64) ([]AgentProfile, error) {
	rows, err := db.Query(ctx, `SELECT id, skills, languages, tiers, capacity_voice, capacity_chat, capacity_sms
		FROM agents WHERE id = ANY($1) AND active`, ids)
	if err != nil {
		return nil, err
	}
	var out []AgentProfile
	for rows.Next() {
		var p AgentProfile
		var langs, tiers []string
		var cv, cc, cs int
		if err := rows.Scan(&p.ID, &p.Skills, &langs, &tiers, &cv, &cc, &cs); err != nil {
			return nil, err
		}
		for _, l := range langs {
			p.Skills = append(p.Skills, "lang:"+l)
		}
		for _, t := range tiers {
			p.Tiers = append(p.Tiers, switchboard.ValueTier(t))
		}
		p.Capacity = map[switchboard.Channel]int{switchboard.ChannelVoice: cv, switchboard.ChannelChat: cc, switchboard.ChannelSMS: cs}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	return out, nil
}
