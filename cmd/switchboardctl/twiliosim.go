package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"switchboard/channels/twiliosim"
	"switchboard/cmd/internal/config"
	"switchboard/pgdb"
)

// cmdTwiliosim serves the Twilio simulator: point the server's
// TWILIO_API_URL at it. With --trickle it also plays customers who call and
// text the bank, sending signed webhooks to SWITCHBOARD_PUBLIC_URL.
func cmdTwiliosim(ctx context.Context, env config.Env, args []string) error {
	fs := flag.NewFlagSet("twiliosim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8088", "listen address of the simulated Twilio REST API")
	trickle := fs.String("trickle", "", `demo traffic, e.g. "calls=2,texts=4" (per minute) or "calls=1/60s,sms=1/45s"; empty for none`)
	base := fs.String("webhook-base", env.PublicURL, "the server's public URL, where webhooks go (SWITCHBOARD_PUBLIC_URL)")
	known := fs.Bool("customers", true, "call and text from seeded customers' numbers (needs DATABASE_URL)")
	speed := fs.Float64("speed", 1, "time scale of simulated waits (2 runs twice as fast)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	hooks := strings.TrimRight(*base, "/")
	calls, texts, err := parseTrickle(*trickle)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: env.LogLevel}))
	sim := twiliosim.New(twiliosim.Config{AccountSID: env.TwilioAccountSID, AuthToken: env.TwilioAuthToken, Number: env.TwilioFrom,
		VoiceURL: hooks + "/channels/twilio/voice", VoiceStatusURL: hooks + "/channels/twilio/voice/status",
		SMSURL: hooks + "/channels/twilio/sms", Speed: *speed, Log: log})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("twilio simulator serving", "api", "http://"+ln.Addr().String(), "webhooks", hooks, "number", env.TwilioFrom)
	if calls+texts > 0 {
		numbers := customerNumbers(ctx, env, *known, log)
		go func() {
			if err := sim.RunTrickle(ctx, twiliosim.Trickle{CallsPerMinute: calls, TextsPerMinute: texts, Numbers: numbers}); err != nil {
				log.Error("trickle", "err", err)
			}
		}()
	}
	<-ctx.Done()
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

// parseTrickle reads "calls=2,texts=4" (per minute) or "calls=1/60s,sms=1/45s"
// (N per duration).
func parseTrickle(s string) (calls, texts float64, err error) {
	if s == "" {
		return 0, 0, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, perr := perMinute(v)
		if !ok || perr != nil || n < 0 || n > 600 {
			return 0, 0, fmt.Errorf("--trickle %q: want calls=N,texts=N per minute, or calls=N/60s (0 to 600 a minute)", s)
		}
		switch k {
		case "calls":
			calls = n
		case "texts", "sms":
			texts = n
		default:
			return 0, 0, fmt.Errorf("--trickle: unknown rate %q (want calls or texts)", k)
		}
	}
	return calls, texts, nil
}

// customerNumbers returns up to 200 seeded customers' phones, so demo
// callers are recognised; none (random numbers) when the database is not
// there.
func customerNumbers(ctx context.Context, env config.Env, use bool, log *slog.Logger) []string {
	if !use {
		return nil
	}
	pool, err := pgdb.Open(ctx, env.DatabaseURL)
	if err != nil {
		log.Warn("trickle: random numbers; no database", "err", err)
		return nil
	}
	defer pool.Close()
	rows, err := pool.Query(ctx, `SELECT phone FROM customers WHERE phone IS NOT NULL ORDER BY random() LIMIT 200`)
	if err != nil {
		log.Warn("trickle: random numbers", "err", err)
		return nil
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if rows.Scan(&p) == nil {
			out = append(out, p)
		}
	}
	if errors.Is(rows.Err(), context.Canceled) {
		return nil
	}
	return out
}

// perMinute reads "4" (per minute) or "1/45s".
func perMinute(v string) (float64, error) {
	num, per, found := strings.Cut(v, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || !found {
		return n, err
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("bad duration %q", per)
	}
	return n * float64(time.Minute) / float64(d), nil
}
