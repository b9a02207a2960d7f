package routing

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// spokenFor is how long the engine trusts what it read of who speaks a
// language: staff changes are rare, enqueues are many.
const spokenFor = 30 * time.Second

// spokenCache remembers, per language and queue, whether an active agent
// who speaks the language can serve the queue.
type spokenCache struct {
	mu sync.Mutex
	m  map[[2]string]spokenEntry
}

type spokenEntry struct {
	yes  bool
	read time.Time
}

// languageSkill is the skill ("lang:xx") that makes a task in language lang
// wait for an agent who speaks it, or "" when language does not restrict
// it: routing by language is off, the language is unknown, or no active
// agent who speaks it can serve queue q (then anyone may take it).
func (e *Engine) languageSkill(ctx context.Context, lang string, q Queue) (string, error) {
	if e.cfg.IgnoreLanguage || lang == "" {
		return "", nil
	}
	key := [2]string{lang, q.Name}
	now := e.now()
	e.spoken.mu.Lock()
	got, ok := e.spoken.m[key]
	e.spoken.mu.Unlock()
	if !ok || now.Sub(got.read) > spokenFor {
		yes, err := e.speaks(ctx, lang, q)
		if err != nil {
			return "", fmt.Errorf("routing: who speaks %s: %w", lang, err)
		}
		got = spokenEntry{yes: yes, read: now}
		e.spoken.mu.Lock()
		if e.spoken.m == nil {
			e.spoken.m = map[[2]string]spokenEntry{}
		}
		e.spoken.m[key] = got
		e.spoken.mu.Unlock()
	}
	if !got.yes {
		return "", nil
	}
	return "lang:" + lang, nil
}

// speaks reports whether an active agent or relationship manager who speaks
// lang has q's skills: from the agents table, or Config.Agents without a
// pool.
func (e *Engine) speaks(ctx context.Context, lang string, q Queue) (bool, error) {
	if e.pool == nil {
		for _, a := range e.cfg.Agents {
			lacks := func(skill string) bool { return !slices.Contains(a.Skills, skill) }
			if !lacks("lang:"+lang) && !slices.ContainsFunc(q.Skills, lacks) {
				return true, nil
			}
		}
		return false, nil
	}
	var yes bool
	err := e.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM agents
		WHERE active AND role IN ('agent', 'rm') AND $1 = ANY(languages) AND skills @> $2::text[])`, lang, q.Skills).Scan(&yes)
	return yes, err
}
