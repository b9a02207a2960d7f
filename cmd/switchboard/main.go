// Command switchboard is the contact-centre server: the channels' webhooks
// and chat sockets, the routing engine, the agent desk and the JSON API, on
// one port. Configuration comes from the environment (see the README).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"switchboard/cmd/internal/config"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "switchboard:", err)
		os.Exit(1)
	}
}

func run() error {
	env, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: env.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	shutdownOTel, err := setupOTel(ctx, os.Getenv)
	if err != nil {
		return fmt.Errorf("opentelemetry: %w", err)
	}
	defer shutdownOTel(context.Background()) //nolint:errcheck // nothing to do at exit

	m := NewMain(env, log)
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	log.Info("switchboard serving", "addr", m.Addr(), "public_url", env.PublicURL)
	<-ctx.Done()
	log.Info("shutting down")
	return m.Close()
}
