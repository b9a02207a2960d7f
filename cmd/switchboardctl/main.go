// Command switchboardctl is the operator's tool: it migrates the database,
// seeds a demo bank, recomputes tiers, runs the routing and Twilio
// simulators and the load generators. Run it without arguments for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"sort"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard/cmd/internal/buildinfo"
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
	"version":   {cmdVersion, "print the version, the commit it was built from and the Go toolchain", false},
	"loadgen":   {cmdLoadgen, "open N desk sockets against a running server and measure memory and screen-pop latency (loadgen desk -h)", false},
	"migrate":   {cmdMigrate, "apply pending database migrations (safe to run from several hosts at once); migrate status lists them", false},
	"sim":       {cmdSim, "simulate routing on Redis with a virtual clock: service level per tier for a staffing level", false},
	"seed":      {cmdSeed, "fill an empty database with a deterministic demo bank, or print its users", false},
	"tiers":     {cmdTiers, "show or change the tiering policy, recompute every customer's tier, count customers per tier", false},
	"twiliosim": {cmdTwiliosim, "serve the Twilio simulator; --trickle calls=2,texts=4 plays demo customers", true},
}

func main() {
	os.Exit(run(os.Args[1:]))
}

// run is the command with its arguments; it returns the exit status: 0 for
// success and for help asked for, 2 for a usage mistake, 1 for a failure.
func run(args []string) int {
	if len(args) == 0 {
		usage(os.Stderr)
		return 2
	}
	name := args[0]
	if name == "help" || isHelp(name) {
		usage(os.Stdout)
		return 0
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(os.Stderr, "switchboardctl: unknown command %q\n", name)
		usage(os.Stderr)
		return 2
	}
	// Help needs no configuration: a new operator reads a command's flags
	// before setting anything.
	env, err := loadEnv(cmd.needsTwilio && !slices.ContainsFunc(args[1:], isHelp))
	if err != nil {
		fmt.Fprintln(os.Stderr, "switchboardctl:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(os.Stderr, "switchboardctl %s: %v\n", name, err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}

func isHelp(arg string) bool { return arg == "-h" || arg == "-help" || arg == "--help" }

// usageError is a command line the command cannot run: exit status 2.
type usageError string

func (e usageError) Error() string { return string(e) }

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

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: switchboardctl <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'switchboardctl <command> -h' for a command's flags. DATABASE_URL and REDIS_URL locate the services.")
}

func logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func cmdMigrate(ctx context.Context, env config.Env, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: switchboardctl migrate [status]\n\n"+
			"Applies every pending migration; \"migrate status\" lists them all, applied or pending, and changes nothing.")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	status := fs.Arg(0) == "status"
	if fs.NArg() > 1 || (fs.NArg() == 1 && !status) {
		return usageError(fmt.Sprintf("unexpected arguments %q: usage: switchboardctl migrate [status]", fs.Args()))
	}
	pool, err := pgdb.Open(ctx, env.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer pool.Close()
	if status {
		return printMigrations(ctx, pool)
	}
	return pgdb.Migrate(ctx, pool, logger())
}

// printMigrations writes one line per migration and a count of those pending.
func printMigrations(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := pgdb.Status(ctx, pool)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "version\tfile\tapplied")
	pending := 0
	for _, m := range ms {
		at := m.AppliedAt.UTC().Format(time.RFC3339)
		if m.AppliedAt.IsZero() {
			at, pending = "pending", pending+1
		}
		fmt.Fprintf(w, "%d\t%s\t%s\n", m.Version, m.File, at)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("%d migrations, %d pending\n", len(ms), pending)
	return nil
}

func cmdVersion(_ context.Context, _ config.Env, args []string) error {
	if len(args) > 0 {
		return usageError("usage: switchboardctl version")
	}
	fmt.Println("switchboardctl", buildinfo.String())
	return nil
}
