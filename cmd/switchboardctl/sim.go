package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"switchboard"
	"switchboard/cmd/internal/config"
	"switchboard/routing"
)

// cmdSim runs the routing simulator: the real engine on Redis, with a
// virtual clock. It needs only REDIS_URL and leaves no keys behind.
func cmdSim(ctx context.Context, env config.Env, args []string) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	agents := fs.Int("agents", 20, "agents, each serving every tier and skill (no relationship managers)")
	aht := fs.Float64("aht", 180, "mean handle time, seconds (exponential)")
	rate := fs.String("rate", "private=0.002,vip=0.01,standard=0.04,mass=0.04", "arrivals per second per tier: TIER=R,...")
	duration := fs.Float64("duration", 28800, "simulated seconds during which calls arrive")
	sl := fs.Float64("sl-threshold", 20, "service-level threshold, seconds")
	patience := fs.Float64("patience", 0, "mean caller patience, seconds (exponential); 0: nobody hangs up")
	aging := fs.String("aging", "", "tier credits: strict, or TIER=SECONDS,... (default: the engine's)")
	wrap := fs.Float64("wrapup", 0, "wrap-up after each call, seconds")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same run")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := routing.SimConfig{Agents: *agents, AHT: seconds(*aht), Duration: seconds(*duration),
		SLThreshold: seconds(*sl), Patience: seconds(*patience), WrapUp: seconds(*wrap), Seed: *seed,
		Centre: env.Centre}
	var err error
	if cfg.Rates, err = parseRates(*rate); err != nil {
		return err
	}
	if cfg.Aging, err = parseAging(*aging); err != nil {
		return err
	}
	rdb, err := simRedis(ctx, env.RedisURL)
	if err != nil {
		return err
	}
	defer rdb.Close()
	start := time.Now()
	done := working(fmt.Sprintf("sim: simulating %s of traffic", seconds(*duration)))
	res, err := routing.Simulate(ctx, rdb, cfg)
	done()
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	printSim(res, cfg, time.Since(start))
	return nil
}

// simRedis connects to REDIS_URL with the settings Redis 7.0 accepts.
func simRedis(ctx context.Context, rawURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	return rdb, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// parseRates reads "private=0.01,vip=0.02".
func parseRates(s string) (map[switchboard.ValueTier]float64, error) {
	out := map[switchboard.ValueTier]float64{}
	for _, part := range strings.Split(s, ",") {
		tier, v, err := tierValue(part)
		if err != nil {
			return nil, fmt.Errorf("--rate: %w", err)
		}
		out[tier] = v
	}
	return out, nil
}

// parseAging reads "strict" or "private=300,vip=120" (seconds of credit;
// "strict" as a value makes that tier strict).
func parseAging(s string) (map[switchboard.ValueTier]time.Duration, error) {
	if s == "" {
		return nil, nil
	}
	out := map[switchboard.ValueTier]time.Duration{}
	if s == "strict" {
		for _, t := range switchboard.ValueTiers {
			out[t] = routing.Strict
		}
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		if t, v, ok := strings.Cut(part, "="); ok && v == "strict" {
			tier, err := switchboard.ParseValueTier(t)
			if err != nil {
				return nil, fmt.Errorf("--aging: %w", err)
			}
			out[tier] = routing.Strict
			continue
		}
		tier, v, err := tierValue(part)
		if err != nil {
			return nil, fmt.Errorf("--aging: %w", err)
		}
		out[tier] = seconds(v)
	}
	return out, nil
}

func tierValue(part string) (switchboard.ValueTier, float64, error) {
	t, v, ok := strings.Cut(strings.TrimSpace(part), "=")
	if !ok {
		return "", 0, fmt.Errorf("%q: want TIER=NUMBER", part)
	}
	tier, err := switchboard.ParseValueTier(t)
	if err != nil {
		return "", 0, err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return "", 0, fmt.Errorf("%q: not a non-negative number", part)
	}
	return tier, f, nil
}

func printSim(res routing.SimResult, cfg routing.SimConfig, took time.Duration) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "tier\toffered\tanswered\tabandoned\tASA s\tmean wait s\tservice level\t")
	row := func(name string, t routing.SimTier) {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f%%\t\n", name, t.Offered, t.Answered, t.Abandoned,
			t.ASA, t.MeanWait, 100*t.ServiceLevel)
	}
	for _, t := range switchboard.ValueTiers {
		if r, ok := res.Tiers[t]; ok {
			row(string(t), r)
		}
	}
	row("total", res.Total)
	w.Flush()
	fmt.Printf("occupancy %.1f%%; %d agents; service level = answered within %v / offered; simulated in %v\n",
		100*res.Occupancy, cfg.Agents, cfg.SLThreshold, took.Round(time.Millisecond))
}
