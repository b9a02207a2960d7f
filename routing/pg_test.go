package routing

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/testenv"
)

// seedAgents inserts n agents who serve every tier, with default capacity.
func seedAgents(t testing.TB, pool *pgxpool.Pool, n int, skills ...string) []int64 {
	if skills == nil {
		skills = []string{}
	}
	t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		var id int64
		err := pool.QueryRow(context.Background(), `INSERT INTO agents (username, name, password_hash, role, skills, tiers)
			VALUES ($1, $1, 'x', 'agent', $2, '{private,vip,standard,mass}') RETURNING id`,
			fmt.Sprintf("agent%d", i), skills).Scan(&id)
		must(t, err)
		ids = append(ids, id)
	}
	return ids
}

// seedInteractions inserts n new interactions, as a channel would, spread
// over channels and tiers.
func seedInteractions(t testing.TB, pool *pgxpool.Pool, n int) []Task {
	t.Helper()
	chans := []switchboard.Channel{switchboard.ChannelVoice, switchboard.ChannelChat, switchboard.ChannelSMS}
	var out []Task
	for i := 0; i < n; i++ {
		tk := Task{Channel: chans[i%3], Queue: "general", Tier: switchboard.ValueTiers[i%4]}
		err := pool.QueryRow(context.Background(), `INSERT INTO interactions (channel, state, queue, tier)
			VALUES ($1, 'queued', $2, $3) RETURNING id`, tk.Channel, tk.Queue, tk.Tier).Scan(&tk.InteractionID)
		must(t, err)
		out = append(out, tk)
	}
	return out
}

// pgEngine is an engine with Postgres, on a fresh database and Redis
// prefix, with the "general" queue, on the clock now.
func pgEngine(t testing.TB, now func() time.Time) (*Engine, *pgxpool.Pool) {
	t.Helper()
	pool := testenv.MustOpenDB(t)
	rdb, prefix := testenv.MustRedis(t)
	e, err := New(Config{Prefix: prefix, Queues: []Queue{{Name: "general"}}}, rdb, pool, nil, now)
	must(t, err)
	return e, pool
}

// pgEngines starts n engines on one Postgres and one Redis prefix, each with
// its own Redis client and its own Run loop.
func pgEngines(t testing.TB, ctx context.Context, pool *pgxpool.Pool, prefix string, n int, cfg Config) []*Engine {
	t.Helper()
	cfg.Prefix = prefix
	cfg.Queues = []Queue{{Name: "general"}}
	var out []*Engine
	for i := 0; i < n; i++ {
		rdb, err := testenv.OpenRedis(testenv.RedisURL())
		must(t, err)
		t.Cleanup(func() { rdb.Close() })
		e, err := New(cfg, rdb, pool, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), time.Now)
		must(t, err)
		go e.Run(ctx)
		out = append(out, e)
	}
	return out
}

// snapshot reads every task (with its state) and agent in one transaction.
func snapshot(ctx context.Context, rdb redis.UniversalClient, k keys) (map[string]wireTask, map[string]string, error) {
	var tasks, states, agents *redis.MapStringStringCmd
	_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		tasks = p.HGetAll(ctx, k.key("task"))
		states = p.HGetAll(ctx, k.key("tstate"))
		agents = p.HGetAll(ctx, k.key("agent"))
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	out := map[string]wireTask{}
	for id, v := range tasks.Val() {
		t, err := decodeTask(v, states.Val()[id])
		if err != nil {
			return nil, nil, fmt.Errorf("task %s: %w", id, err)
		}
		out[id] = t
	}
	return out, agents.Val(), nil
}

// seedAgentsFast inserts n agents in one statement.
func seedAgentsFast(t testing.TB, pool *pgxpool.Pool, n int) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `INSERT INTO agents (username, name, password_hash, role, tiers)
		SELECT 'a' || g, 'a' || g, 'x', 'agent', '{private,vip,standard,mass}' FROM generate_series(1, $1) g
		RETURNING id`, n)
	must(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	must(t, err)
	return ids
}

// seedRowsFast inserts n new interactions in one statement.
func seedRowsFast(t testing.TB, pool *pgxpool.Pool, n int) []int64 {
	t.Helper()
	rows, err := pool.Query(context.Background(), `INSERT INTO interactions (channel, state, queue)
		SELECT (ARRAY['voice', 'chat', 'sms'])[1 + g % 3], 'queued', 'general' FROM generate_series(1, $1) g
		RETURNING id`, n)
	must(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	must(t, err)
	return ids
}
