package routing

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/internal/testenv"
)

// TestRouteByLanguage: a customer is offered to an agent who speaks their
// language even when an agent who does not has been free longer; a
// language nobody there speaks restricts nothing; and the policy can be
// turned off. Who speaks what comes from the agents table.
func TestRouteByLanguage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ignore bool
		lang   string
		want   string // who gets the offer
	}{
		{"english to the English speaker", false, "en", "bilingual"},
		{"chinese to the longest idle", false, "zh", "mandarin"},
		{"a language nobody speaks restricts nothing", false, "fr", "mandarin"},
		{"no language restricts nothing", false, "", "mandarin"},
		{"ignored when the policy is off", true, "en", "mandarin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			pool := testenv.MustOpenDB(t)
			rdb, prefix := testenv.MustRedis(t)
			rec := &recorder{}
			clk := newClock()
			e, err := New(Config{Prefix: prefix, Queues: []Queue{{Name: "cards", Skills: []string{"cards"}}},
				IgnoreLanguage: tc.ignore, Events: rec.add}, rdb, pool, nil, clk.Now)
			must(t, err)
			ids := map[string]int64{
				"mandarin":  languageAgent(t, pool, "mandarin", []string{"cards"}, "zh"),
				"bilingual": languageAgent(t, pool, "bilingual", []string{"cards"}, "zh", "en"),
			}
			// An English speaker who cannot serve the queue does not count.
			languageAgent(t, pool, "french-loans", []string{"loans"}, "fr")
			for _, who := range []string{"mandarin", "bilingual"} { // mandarin free longest
				must(t, e.Login(ctx, ids[who]))
				must(t, e.SetState(ctx, ids[who], AgentAvailable, ""))
				clk.Advance(time.Second)
			}
			rec.take()
			in := languageInteraction(t, pool)
			must(t, e.Enqueue(ctx, Task{InteractionID: in, Channel: switchboard.ChannelSMS, Queue: "cards",
				Tier: switchboard.TierMass, Language: tc.lang}))
			if got := offers(rec.take())[in]; got != ids[tc.want] {
				t.Fatalf("offered to agent %d, want %s (%d); agents %v", got, tc.want, ids[tc.want], ids)
			}
		})
	}
}

func languageAgent(t *testing.T, pool *pgxpool.Pool, name string, skills []string, langs ...string) int64 {
	t.Helper()
	var id int64
	must(t, pool.QueryRow(context.Background(), `INSERT INTO agents (username, name, password_hash, role, skills, languages, tiers)
		VALUES ($1, $1, 'x', 'agent', $2, $3, '{private,vip,standard,mass}') RETURNING id`, name, skills, langs).Scan(&id))
	return id
}

func languageInteraction(t *testing.T, pool *pgxpool.Pool) int64 {
	t.Helper()
	var id int64
	must(t, pool.QueryRow(context.Background(), `INSERT INTO interactions (channel, state, queue, tier)
		VALUES ('sms', 'queued', 'cards', 'mass') RETURNING id`).Scan(&id))
	return id
}
