package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"switchboard"
	"switchboard/agents"
	"switchboard/cmd/internal/config"
	"switchboard/interactions"
	"switchboard/pgdb"
	"switchboard/routing"
)

// loadOpts are the flags of "loadgen desk".
type loadOpts struct {
	url       string
	conns     int
	available int
	pops      int
	rate      int
	pid       int
	sources   int
	settle    time.Duration
}

// cmdLoadgen runs a load generator; "desk" is the only one: N concurrent
// desk sockets against a running server, then screen pops under that load.
func cmdLoadgen(ctx context.Context, env config.Env, args []string) error {
	const use = "usage: switchboardctl loadgen desk [flags] (switchboardctl loadgen desk -h lists them)"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Println(use)
		return flag.ErrHelp
	}
	if len(args) == 0 || args[0] != "desk" {
		return usageError(use)
	}
	fs := flag.NewFlagSet("loadgen desk", flag.ContinueOnError)
	var o loadOpts
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server's base URL")
	fs.IntVar(&o.conns, "conns", 10000, "desk connections to hold open, one synthetic agent each")
	fs.IntVar(&o.available, "available", 200, "of those, how many agents go available and take offers")
	fs.IntVar(&o.pops, "pops", 1000, "interactions to route while the connections are open")
	fs.IntVar(&o.rate, "rate", 100, "interactions per second")
	fs.IntVar(&o.pid, "pid", 0, "the server's process id, to read its memory from /proc (optional)")
	fs.IntVar(&o.sources, "sources", 4, "source addresses 127.0.0.1 to 127.0.0.N, to stay within the ephemeral ports")
	fs.DurationVar(&o.settle, "settle", 3*time.Second, "pause after connecting, before measuring idle memory")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if o.conns < 1 || o.available < 0 || o.available > o.conns || o.sources < 1 || o.sources > 250 || o.rate < 1 {
		return fmt.Errorf("loadgen: need conns >= 1, 0 <= available <= conns, 1 <= sources <= 250, rate >= 1")
	}
	pool, err := pgdb.Open(ctx, env.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	return runDeskLoad(ctx, env, pool, o)
}

func runDeskLoad(ctx context.Context, env config.Env, pool *pgxpool.Pool, o loadOpts) error {
	raiseFileLimit(o.conns + 256)
	run := strconv.FormatInt(time.Now().Unix()%1_000_000, 36)
	fmt.Printf("run %s: creating %d synthetic agents\n", run, o.conns)
	// The pops wait in "general"; a bank that has none gets one.
	if _, err := pool.Exec(ctx, `INSERT INTO queues (name, title) VALUES ('general', 'General') ON CONFLICT DO NOTHING`); err != nil {
		return fmt.Errorf("loadgen: queue general: %w", err)
	}
	ids, supervisor, err := createLoadAgents(ctx, pool, run, o.conns)
	if err != nil {
		return err
	}
	defer retireLoadAgents(context.WithoutCancel(ctx), pool, run)
	store := agents.NewStore(pool, 2*time.Hour, time.Now)
	tokens, err := store.OpenSessions(ctx, append(ids, supervisor))
	if err != nil {
		return err
	}
	superToken := tokens[len(tokens)-1]
	lat := &latencies{}
	start := time.Now()
	desks, err := dialDesks(ctx, o, env.PublicURL, tokens[:o.conns], lat)
	if err != nil {
		return err
	}
	defer closeDesks(desks)
	fmt.Printf("connected %d desks in %s\n", len(desks), time.Since(start).Round(time.Millisecond))
	time.Sleep(o.settle)
	report(o, superToken, "idle", lat)
	for _, d := range desks[:o.available] {
		if err := d.send("set_state", map[string]any{"state": "available"}); err != nil {
			return err
		}
	}
	time.Sleep(time.Second)
	if err := routeLoad(ctx, env, pool, o, run); err != nil {
		return err
	}
	waitPops(lat, o.pops, 30*time.Second)
	report(o, superToken, "after pops", lat)
	if n := lat.Count(); n < o.pops {
		return fmt.Errorf("loadgen: only %d of %d screen pops reached the desks in 30 s", n, o.pops)
	}
	return nil
}

// raiseFileLimit lifts the soft limit on open files towards the hard one:
// each desk is one descriptor.
func raiseFileLimit(want int) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	if l.Cur < uint64(want) {
		l.Cur = min(uint64(want), l.Max)
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

// createLoadAgents inserts n agents named load-<run>-<i>, able to serve
// every tier and every queue (each has all the skills any queue requires:
// a seeded bank's queues all require one), and one supervisor who reads the
// server's statistics. They share one password hash nobody knows: they log
// in only by session.
func createLoadAgents(ctx context.Context, pool *pgxpool.Pool, run string, n int) ([]int64, int64, error) {
	hash, err := agents.HashPassword(run + strconv.FormatInt(time.Now().UnixNano(), 36))
	if err != nil {
		return nil, 0, err
	}
	tiers := []string{"private", "vip", "standard", "mass"}
	rows, err := pool.Query(ctx, `INSERT INTO agents (username, name, password_hash, role, tiers, capacity_sms, skills)
		SELECT 'load-' || $1 || '-' || i, 'Load ' || i, $2, 'agent', $3, 50,
			(SELECT coalesce(array_agg(DISTINCT s), '{}') FROM queues, unnest(queues.skills) s)
		FROM generate_series(1, $4) i RETURNING id`,
		run, hash, tiers, n)
	if err != nil {
		return nil, 0, fmt.Errorf("loadgen: create agents: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, 0, fmt.Errorf("loadgen: create agents: %w", err)
	}
	var sup int64
	err = pool.QueryRow(ctx, `INSERT INTO agents (username, name, password_hash, role) VALUES ('load-' || $1 || '-sup', 'Load supervisor', $2, 'supervisor') RETURNING id`,
		run, hash).Scan(&sup)
	if err != nil {
		return nil, 0, fmt.Errorf("loadgen: create supervisor: %w", err)
	}
	return ids, sup, nil
}

// retireLoadAgents ends the run's sessions and deactivates its agents, so
// they can never log in or be routed to again.
func retireLoadAgents(ctx context.Context, pool *pgxpool.Pool, run string) {
	pool.Exec(ctx, `DELETE FROM sessions WHERE agent_id IN (SELECT id FROM agents WHERE username LIKE 'load-' || $1 || '-%')`, run)
	pool.Exec(ctx, `UPDATE agents SET active = false WHERE username LIKE 'load-' || $1 || '-%'`, run)
}

// routeLoad creates o.pops SMS interactions, at o.rate a second, for a set
// of synthetic VIP and private-banking customers, and queues them.
func routeLoad(ctx context.Context, env config.Env, pool *pgxpool.Pool, o loadOpts, run string) error {
	rdb, err := simRedis(ctx, env.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	eng, err := routing.New(routing.Config{Centre: env.Centre, Prefix: env.RedisPrefix}, rdb, pool, nil, time.Now)
	if err != nil {
		return err
	}
	var custs []int64
	rows, err := pool.Query(ctx, `INSERT INTO customers (name, value_tier) SELECT 'Load customer ' || $1 || '-' || i,
		(ARRAY['private','vip','standard','mass'])[1 + i % 4] FROM generate_series(1, 100) i RETURNING id`, run)
	if err != nil {
		return fmt.Errorf("loadgen: customers: %w", err)
	}
	if custs, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return fmt.Errorf("loadgen: customers: %w", err)
	}
	store := interactions.NewStore(pool, time.Now)
	tick := time.NewTicker(time.Second / time.Duration(o.rate))
	defer tick.Stop()
	for i := range o.pops {
		<-tick.C
		tier := []switchboard.ValueTier{"private", "vip", "standard", "mass"}[(i+1)%4]
		in := switchboard.Interaction{Channel: switchboard.ChannelSMS, Direction: switchboard.Inbound, State: switchboard.StateQueued,
			CustomerID: custs[i%len(custs)], Queue: "general", Tier: tier, From: "+86138" + fmt.Sprintf("%08d", i)}
		qs, err := store.StoreAndQueue(ctx, eng, nil, func(tx pgx.Tx, now time.Time) ([]routing.Task, error) {
			err := interactions.Create(ctx, tx, now, &in, "zh", nil)
			return []routing.Task{{InteractionID: in.ID, Channel: in.Channel, Queue: "general", Tier: tier, CustomerID: in.CustomerID}}, err
		})
		if err != nil {
			return err
		}
		if err := qs[0].Route(ctx); err != nil {
			return err
		}
	}
	return nil
}

func waitPops(lat *latencies, want int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	for lat.Count() < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
}

// report prints connections, server memory and pop latency.
func report(o loadOpts, superToken, phase string, lat *latencies) {
	fmt.Printf("== %s\n", phase)
	if o.pid > 0 {
		if rss, err := processRSS(o.pid); err == nil {
			fmt.Printf("server RSS: %.1f MiB (%.1f KiB per desk)\n", float64(rss)/(1<<20), float64(rss)/1024/float64(o.conns))
		}
	}
	req, _ := http.NewRequest("GET", o.url+"/agentdesk/debug/stats", nil)
	req.Header.Set("Authorization", "Bearer "+superToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		var s map[string]any
		json.NewDecoder(resp.Body).Decode(&s)
		resp.Body.Close()
		b, _ := json.Marshal(s)
		fmt.Printf("server stats: %s\n", b)
	}
	p := lat.Summary()
	fmt.Printf("screen pops received: %d, reservation to desk p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", p.Count, p.P50Ms, p.P99Ms, p.MaxMs)
}

// processRSS reads VmRSS of pid from /proc.
func processRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// loadDesk is one synthetic desk: it accepts every offer and wraps it up
// at once, recording the pop's delay from the reservation.
type loadDesk struct {
	mu  sync.Mutex
	ws  *websocket.Conn
	seq int
}

func (d *loadDesk) send(typ string, data any) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	d.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	return d.ws.WriteJSON(map[string]any{"v": 1, "id": "l" + strconv.Itoa(d.seq), "type": typ, "data": data})
}

func dialDesks(ctx context.Context, o loadOpts, origin string, tokens []string, lat *latencies) ([]*loadDesk, error) {
	wsURL := "ws" + strings.TrimPrefix(o.url, "http") + "/agentdesk/ws"
	desks := make([]*loadDesk, len(tokens))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for i, tok := range tokens {
		g.Go(func() error {
			dialer := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 512,
				NetDialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i%o.sources))}}).DialContext}
			ws, _, err := dialer.DialContext(ctx, wsURL, http.Header{"Authorization": {"Bearer " + tok}, "Origin": {origin}})
			if err != nil {
				return fmt.Errorf("loadgen: desk %d: %w", i, err)
			}
			desks[i] = &loadDesk{ws: ws}
			go desks[i].read(lat)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		closeDesks(desks)
		return nil, err
	}
	return desks, nil
}

func (d *loadDesk) read(lat *latencies) {
	for {
		_, b, err := d.ws.ReadMessage()
		if err != nil {
			return
		}
		if !strings.Contains(string(b[:min(len(b), 40)]), `"type":"offer"`) {
			continue
		}
		got := time.Now()
		var f struct {
			Data struct {
				Interaction struct {
					ID int64 `json:"id"`
				} `json:"interaction"`
				ReservedAt time.Time `json:"reserved_at"`
			} `json:"data"`
		}
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		lat.Add(got.Sub(f.Data.ReservedAt))
		id := f.Data.Interaction.ID
		go func() {
			d.send("accept", map[string]any{"interaction_id": id})
			time.Sleep(200 * time.Millisecond)
			d.send("wrapup", map[string]any{"interaction_id": id, "disposition": "enquiry"})
		}()
	}
}

func closeDesks(desks []*loadDesk) {
	for _, d := range desks {
		if d != nil {
			d.ws.Close()
		}
	}
}

// latencies collects the pops' delays as the desks saw them.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) Count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.d)
}

type latencySummary struct {
	Count               int
	P50Ms, P99Ms, MaxMs float64
}

func (l *latencies) Summary() latencySummary {
	l.mu.Lock()
	s := slices.Clone(l.d)
	l.mu.Unlock()
	if len(s) == 0 {
		return latencySummary{}
	}
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return latencySummary{Count: len(s), P50Ms: ms(at(0.5)), P99Ms: ms(at(0.99)), MaxMs: ms(s[len(s)-1])}
}
