// Command switchboardctl is the operator's tool: it migrates the database,
// seeds a demo bank, recomputes tiers, runs the routing and Twilio
// simulators and the load generators. Run it without arguments for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"switchboard/cmd/internal/config"
	"switchboard/pgdb"
)

// command is one subcommand; args are those after its name.
type command struct {
	run     func(ctx context.Context, env config.Env, args []string) error
	summary string
	// needsTwilio is false for commands that run without the server's Twilio
	// and chat settings (the simulators, migrate, seed...).
	needsTwilio bool
}

var commands = map[string]command{
	"loadgen":   {cmdLoadgen, "open N desk sockets against a running server and measure memory and screen-pop latency (loadgen desk -h)", false},
	"migrate":   {cmdMigrate, "apply pending database migrations (safe to run from several hosts at once)", false},
	"sim":       {cmdSim, "simulate routing on Redis with a virtual clock: service level per tier for a staffing level", false},
	"seed":      {cmdSeed, "fill an empty database with a deterministic demo bank, or print its users", false},
	"tiers":     {cmdTiers, "show or change the tiering policy, recompute every customer's tier, count customers per tier", false},
	"twiliosim": {cmdTwiliosim, "serve the Twilio simulator; --trickle calls=2,texts=4 plays demo customers", true},
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "help" || os.Args[1] == "-h" || os.Args[1] == "--help" {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "switchboardctl: unknown command %q\n", name)
		usage()
		os.Exit(2)
	}
	env, err := loadEnv(cmd.needsTwilio)
	if err != nil {
		fmt.Fprintln(os.Stderr, "switchboardctl:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, env, os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "switchboardctl %s: %v\n", name, err)
		os.Exit(1)
	}
}

// loadEnv reads the configuration. Commands that do not talk to Twilio or
// chat clients get placeholders for those settings, so an operator can
// migrate or seed with only DATABASE_URL set.
func loadEnv(needsTwilio bool) (config.Env, error) {
	getenv := os.Getenv
	if !needsTwilio {
		placeholders := map[string]string{
			"TWILIO_ACCOUNT_SID": "ACunused", "TWILIO_AUTH_TOKEN": "unusedtoken",
			"TWILIO_FROM_NUMBER": "+10000000000", "SWITCHBOARD_CHAT_KEY": "unused-unused-unused-unused-unused",
		}
		getenv = func(k string) string {
			if v := os.Getenv(k); v != "" {
				return v
			}
			return placeholders[k]
		}
	}
	return config.Load(getenv)
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: switchboardctl <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nRun 'switchboardctl <command> -h' for a command's flags. DATABASE_URL and REDIS_URL locate the services.")
}

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func cmdMigrate(ctx context.Context, env config.Env, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	pool, err := pgdb.Open(ctx, env.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer pool.Close()
	return pgdb.Migrate(ctx, pool, logger())
}
