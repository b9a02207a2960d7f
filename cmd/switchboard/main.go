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

	"switchboard/cmd/internal/buildinfo"
	"switchboard/cmd/internal/config"
)

// answerArgs answers the only arguments the server takes: help and version.
// Its configuration is the environment alone.
func answerArgs(args []string) int {
	switch {
	case len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help"):
		fmt.Println("usage: switchboard [version]\n\n" +
			"Serves the contact centre on SWITCHBOARD_ADDR. It takes its configuration from the environment:\n" +
			"DATABASE_URL, REDIS_URL, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM_NUMBER and SWITCHBOARD_CHAT_KEY\n" +
			"are required; the README's Configuration section lists every variable and its default.")
		return 0
	case len(args) == 1 && (args[0] == "version" || args[0] == "-version" || args[0] == "--version"):
		fmt.Println("switchboard", buildinfo.String())
		return 0
	}
	fmt.Fprintf(os.Stderr, "switchboard: unexpected arguments %q: the server takes its configuration from the environment (switchboard -h)\n", args)
	return 2
}

func main() {
	if len(os.Args) > 1 {
		os.Exit(answerArgs(os.Args[1:]))
	}
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
