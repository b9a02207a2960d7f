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
	trickle := fs.String("trickle", "", `demo traffic per minute, e.g. "calls=2,texts=4"; empty for none`)
	known := fs.Bool("customers", true, "call and text from seeded customers' numbers (needs DATABASE_URL)")
	speed := fs.Float64("speed", 1, "time scale of simulated waits (2 runs twice as fast)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	calls, texts, err := parseTrickle(*trickle)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: env.LogLevel}))
	sim := twiliosim.New(twiliosim.Config{AccountSID: env.TwilioAccountSID, AuthToken: env.TwilioAuthToken, Number: env.TwilioFrom,
		VoiceURL: env.PublicURL + "/channels/twilio/voice", VoiceStatusURL: env.PublicURL + "/channels/twilio/voice/status",
		SMSURL: env.PublicURL + "/channels/twilio/sms", Speed: *speed, Log: log})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("twilio simulator serving", "api", "http://"+ln.Addr().String(), "webhooks", env.PublicURL, "number", env.TwilioFrom)
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

// parseTrickle reads "calls=2,texts=4" (per minute).
func parseTrickle(s string) (calls, texts float64, err error) {
	if s == "" {
		return 0, 0, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, perr := strconv.ParseFloat(v, 64)
		if !ok || perr != nil || n < 0 || n > 600 {
			return 0, 0, fmt.Errorf("--trickle %q: want calls=N,texts=N per minute (0 to 600)", s)
		}
		switch k {
		case "calls":
			calls = n
		case "texts":
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
