package routing

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

// countHook counts the commands (round trips, for scripts) a client sends.
type countHook struct{ n atomic.Int64 }

func (h *countHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *countHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

var _ = net.Dial

// parallel runs fn(i) for i in [0, n) on g goroutines.
func parallel(n, g int, fn func(i int) error) error {
	var wg sync.WaitGroup
	var next atomic.Int64
	errs := make(chan error, g)
	for range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// benchCentre is an engine without Postgres with agents logged in, each
// holding one connected call, and `waiting` calls in the queue.
type benchCentre struct {
	e       *Engine
	hook    *countHook
	holding []int64 // holding[agent-1] is the call agent holds
	nextID  atomic.Int64
}

func newBenchCentre(b testing.TB, agents, waiting int) *benchCentre {
	rdb, prefix := testenv.MustRedis(b)
	hook := &countHook{}
	rdb.AddHook(hook)
	profiles := make([]AgentProfile, agents)
	for i := range profiles {
		profiles[i] = AgentProfile{ID: int64(i + 1), Tiers: switchboard.ValueTiers,
			Capacity: map[switchboard.Channel]int{switchboard.ChannelVoice: 1}}
	}
	e, err := New(Config{Prefix: prefix, Agents: profiles, WrapUp: -1, Queues: []Queue{{Name: "general"}},
		ReservationTimeout: time.Hour}, // the setup of 100,000 calls outlasts a real timeout
		rdb, nil, nil, time.Now)
	must(b, err)
	c := &benchCentre{e: e, hook: hook, holding: make([]int64, agents)}
	ctx := context.Background()
	offered := map[int64]int64{}
	var mu sync.Mutex
	e.cfg.Events = func(ev Event) {
		if ev.Kind == EventOffer {
			mu.Lock()
			offered[ev.AgentID] = ev.InteractionID
			mu.Unlock()
		}
	}
	must(b, parallel(agents, 8, func(i int) error { return e.Login(ctx, int64(i+1)) }))
	must(b, parallel(agents+waiting, 8, func(int) error { return c.enqueue(ctx) }))
	e.cfg.Events = nil
	must(b, parallel(agents, 8, func(i int) error {
		c.holding[i] = offered[int64(i+1)]
		return e.Accept(ctx, int64(i+1), c.holding[i])
	}))
	return c
}

func (c *benchCentre) enqueue(ctx context.Context) error {
	id := c.nextID.Add(1)
	tier := switchboard.ValueTiers[id%4]
	return c.e.Enqueue(ctx, Task{InteractionID: id, Channel: switchboard.ChannelVoice, Queue: "general", Tier: tier})
}

// BenchmarkMatch measures matching where it happens in production: an agent
// ends a call, and the same operation frees the agent and offers it the
// best waiting call. 5,000 agents are all busy; each batch, 500 of them
// complete at once, each from a goroutine of its own as each desk's
// connection is (timed), then accept their new offers and as many new
// calls arrive (not timed), so the queue stays the same length. It reports
// matches/s, Redis round trips per match (under 1: the engine sends
// concurrent operations together) and the CPU time of Redis and of the
// engine per match.
func BenchmarkMatch(b *testing.B) {
	for _, waiting := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("waiting=%d", waiting), func(b *testing.B) {
			const agents, batch = 5000, 500
			c := newBenchCentre(b, agents, waiting)
			ctx := context.Background()
			offered := make([]int64, agents)
			c.e.cfg.Events = func(ev Event) {
				if ev.Kind == EventOffer {
					offered[ev.AgentID-1] = ev.InteractionID
				}
			}
			matches, trips := 0, int64(0)
			var serverUs, serverCalls, cpuUs, ownUs float64
			first := 0
			b.ResetTimer()
			for b.Loop() {
				agentsThisBatch := make([]int, batch)
				for i := range agentsThisBatch {
					agentsThisBatch[i] = (first + i) % agents
				}
				first += batch
				us0, calls0 := scriptStats(b, c.e.rdb)
				cpu0 := redisCPU(b, c.e.rdb)
				own0 := ownCPU()
				before := c.hook.n.Load()
				must(b, parallel(batch, batch, func(i int) error {
					a := agentsThisBatch[i]
					return c.e.Complete(ctx, int64(a+1), c.holding[a])
				}))
				trips += c.hook.n.Load() - before
				us1, calls1 := scriptStats(b, c.e.rdb)
				serverUs += us1 - us0
				serverCalls += calls1 - calls0
				cpuUs += redisCPU(b, c.e.rdb) - cpu0
				ownUs += ownCPU() - own0
				matches += batch
				b.StopTimer()
				must(b, parallel(batch, 8, func(i int) error {
					a := agentsThisBatch[i]
					c.holding[a] = offered[a]
					if err := c.e.Accept(ctx, int64(a+1), offered[a]); err != nil {
						return fmt.Errorf("agent %d: %w", a+1, err)
					}
					return c.enqueue(ctx)
				}))
				b.StartTimer()
			}
			b.ReportMetric(float64(matches)/b.Elapsed().Seconds(), "matches/s")
			b.ReportMetric(float64(trips)/float64(matches), "roundtrips/match")
			// Redis's own time in the routing function while the batch ran
			// (any other client's calls at that moment are counted too).
			b.ReportMetric(serverUs/float64(matches), "redis-µs/match")
			// The CPU time Redis spent meanwhile: unlike the time per script,
			// not inflated when Redis waits for a core on a loaded machine,
			// but it counts every client of that Redis.
			b.ReportMetric(cpuUs/float64(matches), "redis-cpu-µs/match")
			// The CPU time of this process (the engine's side of a match).
			b.ReportMetric(ownUs/float64(matches), "engine-cpu-µs/match")
		})
	}
}

// scriptStats reads Redis's total microseconds and calls of the routing
// function (FCALL) and of scripts (EVALSHA).
func scriptStats(b testing.TB, rdb redis.UniversalClient) (us, calls float64) {
	info, err := rdb.Info(context.Background(), "commandstats").Result()
	must(b, err)
	for _, m := range regexp.MustCompile(`cmdstat_(?:fcall|evalsha):calls=(\d+),usec=(\d+)`).FindAllStringSubmatch(info, -1) {
		c, _ := strconv.ParseFloat(m[1], 64)
		u, _ := strconv.ParseFloat(m[2], 64)
		calls += c
		us += u
	}
	return us, calls
}

// ownCPU is the CPU time, in microseconds, this process has used.
func ownCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e3
}

// redisCPU reads the CPU time, in microseconds, the Redis server has used.
func redisCPU(b *testing.B, rdb redis.UniversalClient) float64 {
	info, err := rdb.Info(context.Background(), "cpu").Result()
	must(b, err)
	var sum float64
	for _, f := range []string{"used_cpu_sys", "used_cpu_user"} {
		m := regexp.MustCompile(f + `:([0-9.]+)`).FindStringSubmatch(info)
		if m == nil {
			b.Fatalf("no %s in INFO cpu", f)
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		sum += v * 1e6
	}
	return sum
}

// BenchmarkEnqueueToOffer offers calls at 1,000 a second, open loop, to
// 5,000 agents, and reports the time from the Enqueue call to the offer's
// arrival through Redis pub/sub (what the desk would see): p50 and p99 in
// milliseconds. "redis" is the engine alone; "postgres" also records the
// queued event before Redis and every decision after, as in production.
// One iteration is a second of traffic (1,000 calls), so even -benchtime
// 1x gives a p99 of many samples. The agents answer each offer as it
// arrives and end the conversation benchHold later, as desks do: agents
// who never answer fill up after a few seconds (5,000 agents hold at most
// 5,000 calls, or fewer offers with one at a time), and the calls after
// that would wait for nobody.
func BenchmarkEnqueueToOffer(b *testing.B) {
	for _, withPG := range []bool{false, true} {
		name := "redis"
		if withPG {
			name = "postgres"
		}
		b.Run(name, func(b *testing.B) { benchEnqueueToOffer(b, withPG) })
	}
}

// offersPerIteration is one second of BenchmarkEnqueueToOffer's traffic;
// benchHold is how long an agent keeps each conversation (at 1,000 a
// second, 1,000 agents are busy at a time).
const (
	offersPerIteration = 1000
	benchHold          = time.Second
)

// offerBench is BenchmarkEnqueueToOffer's state: when each call was sent,
// and how long each offer took to arrive.
type offerBench struct {
	e    *Engine
	mu   sync.Mutex
	sent map[int64]time.Time
	got  []time.Duration
	ends sync.WaitGroup // conversations the agents are still to end
}

// answer takes one offer as a desk would: it notes when it arrived, then
// the agent answers and, benchHold later, ends the conversation.
func (o *offerBench) answer(ctx context.Context, b *testing.B, ev Event) {
	o.mu.Lock()
	o.got = append(o.got, time.Since(o.sent[ev.InteractionID]))
	o.mu.Unlock()
	o.ends.Add(1)
	go func() {
		defer o.ends.Done()
		if err := o.e.Accept(ctx, ev.AgentID, ev.InteractionID); err != nil {
			b.Error(err)
			return
		}
		time.Sleep(benchHold)
		if err := o.e.Complete(ctx, ev.AgentID, ev.InteractionID); err != nil && ctx.Err() == nil {
			b.Error(err)
		}
	}()
}

func (o *offerBench) arrived() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.got)
}

func benchEnqueueToOffer(b *testing.B, withPG bool) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e, newIDs := offerBenchEngine(b, ctx, withPG)
	o := &offerBench{e: e, sent: map[int64]time.Time{}}
	evs, err := e.Subscribe(ctx)
	must(b, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range evs {
			if ev.Kind == EventOffer {
				o.answer(ctx, b, ev)
			}
		}
	}()
	n := 0
	var wg sync.WaitGroup
	for b.Loop() {
		b.StopTimer()
		ids := newIDs(offersPerIteration)
		b.StartTimer()
		start := time.Now()
		for i, id := range ids {
			time.Sleep(time.Until(start.Add(time.Duration(i) * time.Millisecond)))
			o.mu.Lock()
			o.sent[id] = time.Now()
			o.mu.Unlock()
			wg.Add(1)
			go func(i int, id int64) {
				defer wg.Done()
				tk := Task{InteractionID: id, Channel: switchboard.Channels[i%3], Queue: "general",
					Tier: switchboard.ValueTiers[i%4]}
				if err := e.Enqueue(ctx, tk); err != nil {
					b.Error(err)
				}
			}(n+i, id)
		}
		n += len(ids)
	}
	elapsed := b.Elapsed()
	wg.Wait()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && o.arrived() < n; {
		time.Sleep(10 * time.Millisecond)
	}
	o.ends.Wait()
	cancel()
	<-done
	if len(o.got) < n {
		b.Fatalf("%d of %d offers arrived", len(o.got), n)
	}
	got := o.got
	slices.Sort(got)
	b.ReportMetric(float64(got[len(got)/2])/1e6, "p50-ms")
	b.ReportMetric(float64(got[len(got)*99/100])/1e6, "p99-ms")
	b.ReportMetric(float64(n)/elapsed.Seconds(), "offers/s")
}

// offerBenchEngine is an engine with 5,000 agents logged in, and a source
// of new interactions to enqueue: rows in Postgres when withPG.
func offerBenchEngine(b *testing.B, ctx context.Context, withPG bool) (*Engine, func(n int) []int64) {
	const agents = 5000
	rdb, prefix := testenv.MustRedis(b)
	cfg := Config{Prefix: prefix, Queues: []Queue{{Name: "general"}}, WrapUp: -1}
	if !withPG {
		for i := range agents {
			cfg.Agents = append(cfg.Agents, AgentProfile{ID: int64(i + 1), Tiers: switchboard.ValueTiers,
				Capacity: switchboard.DefaultCapacity()})
		}
		e, err := New(cfg, rdb, nil, nil, time.Now)
		must(b, err)
		must(b, parallel(agents, 8, func(i int) error { return e.Login(ctx, int64(i+1)) }))
		next := int64(0)
		return e, func(n int) []int64 {
			ids := make([]int64, n)
			for i := range ids {
				next++
				ids[i] = next
			}
			return ids
		}
	}
	// A pool of 16: the default of 4 on this 2-core machine, not the
	// engine, would be what the benchmark measured.
	u, err := url.Parse(testenv.MustCreateDB(b))
	must(b, err)
	q := u.Query()
	q.Set("pool_max_conns", "16")
	u.RawQuery = q.Encode()
	pool, err := pgdb.Open(ctx, u.String())
	must(b, err)
	b.Cleanup(pool.Close)
	agentIDs := seedAgentsFast(b, pool, agents)
	e, err := New(cfg, rdb, pool, nil, time.Now)
	must(b, err)
	must(b, parallel(len(agentIDs), 8, func(i int) error { return e.Login(ctx, agentIDs[i]) }))
	return e, func(n int) []int64 { return seedRowsFast(b, pool, n) }
}

// BenchmarkEvalshaCeiling runs redis-benchmark with EVALSHA of a script that
// returns 1 (50 clients), in the same run as the benchmarks above: the most
// script calls per second this machine's Redis does, against which
// matches/s reads.
func BenchmarkEvalshaCeiling(b *testing.B) {
	rdb, _ := testenv.MustRedis(b)
	sha, err := rdb.ScriptLoad(context.Background(), "return 1").Result()
	must(b, err)
	opt, err := redis.ParseURL(testenv.RedisURL())
	must(b, err)
	host, port, err := net.SplitHostPort(opt.Addr)
	must(b, err)
	var rps float64
	for b.Loop() {
		out, err := exec.Command("redis-benchmark", "-h", host, "-p", port, "-n", "100000", "-c", "50", "-q",
			"EVALSHA", sha, "0").CombinedOutput()
		if err != nil {
			b.Fatalf("redis-benchmark: %v: %s", err, out)
		}
		m := regexp.MustCompile(`([0-9.]+) requests per second`).FindAllSubmatch(out, -1)
		if m == nil {
			b.Fatalf("redis-benchmark said %q", out)
		}
		rps, _ = strconv.ParseFloat(string(m[len(m)-1][1]), 64)
	}
	b.ReportMetric(rps, "evalsha/s")
}

// completeInRedis runs n Completes (agents first..first+n-1 end their
// calls, and each is offered the next) in one script call, through the same
// Lua as the routing function. With mode "none" it only finds each agent's
// call, which the timing subtracts; with "accept" the agents answer their
// offers.
const completeInRedis = `
bind(EVAL_KEYS)
local now, n, first, mode = EVAL_ARGV[2], tonumber(EVAL_ARGV[3]), tonumber(EVAL_ARGV[4]), EVAL_ARGV[5]
for i = 0, n - 1 do
  local ag = tostring(first + i)
  local tid
  for k in pairs(cjson.decode(redis.call('HGET', KEYS[4], ag)).its) do tid = k end
  if mode == 'complete' then
    begin({EVAL_ARGV[1], now, ag, tid, '0', '3600000', '32'})
    OPS.complete()
  elseif mode == 'accept' then
    begin({EVAL_ARGV[1], now, ag, tid, '3600000', '32'})
    OPS.accept()
  end
end
return 1
`

// BenchmarkCompleteInRedis measures a Complete that offers the next call
// inside Redis alone: no network, no engine, no other caller. 5,000 agents
// hold a call and 10,000 wait; an iteration is 1,000 Completes in one
// script call (timed), then those agents answer their offers and 1,000
// calls arrive (not timed).
func BenchmarkCompleteInRedis(b *testing.B) {
	const agents, n = 5000, 1000
	c := newBenchCentre(b, agents, 10000)
	ctx := context.Background()
	sc := redis.NewScript("local EVAL_KEYS, EVAL_ARGV = KEYS, ARGV\n" + luaText(completeInRedis))
	run := func(mode string, first int) time.Duration {
		start := time.Now()
		now := time.Now()
		must(b, sc.Run(ctx, c.e.rdb, c.e.keys.script(now), c.e.keys.events(), now.UnixMilli(), n, first, mode).Err())
		return time.Since(start)
	}
	var spent time.Duration
	i := 0
	for b.Loop() {
		first := 1 + (i*n)%agents
		b.StopTimer()
		base := run("none", first)
		b.StartTimer()
		spent += run("complete", first) - base
		b.StopTimer()
		run("accept", first)
		must(b, parallel(n, 8, func(int) error { return c.enqueue(ctx) }))
		b.StartTimer()
		i++
	}
	b.ReportMetric(float64(spent.Microseconds())/float64(i*n), "redis-µs/complete")
}
