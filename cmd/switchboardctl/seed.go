package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"switchboard/cmd/internal/config"
	"switchboard/customers/demobank"
	"switchboard/pgdb"
)

// cmdSeed fills an empty database with the demo bank, or prints its users.
func cmdSeed(ctx context.Context, env config.Env, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: switchboardctl seed [--customers N] [--agents M] [--seed S] [--interactions K] | --print-users\n\n"+
			"Fills an EMPTY database with a deterministic demo bank (the same seed gives the same bank);\n"+
			"a database with staff, customers or interactions is refused and left as it was.")
		fs.PrintDefaults()
	}
	n := fs.Int("customers", 20_000, "customers to create")
	agents := fs.Int("agents", 60, "contact-centre agents; RMs (one per ~200 private and VIP customers), supervisors, a marketer and an admin come on top")
	seed := fs.Int64("seed", 1, "random seed")
	interactions := fs.Int("interactions", -1, fmt.Sprintf("past interactions to create (default %d per customer)", demobank.DefaultInteractionsPerCustomer))
	printUsers := fs.Bool("print-users", false, "print the demo users and their passwords, and seed nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	pool, err := pgdb.Open(ctx, env.DatabaseURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	defer pool.Close()
	if *printUsers {
		users, err := demobank.Users(ctx, pool)
		if err != nil {
			return err
		}
		return writeUsers(users)
	}
	if *interactions < 0 {
		*interactions = demobank.DefaultInteractionsPerCustomer * *n
	}
	// A step per range of customers on a terminal; a log or a pipe gets the
	// result line alone.
	opts := demobank.Options{Customers: *n, Agents: *agents, Interactions: *interactions, Seed: *seed}
	if onTerminal(os.Stderr) {
		opts.Log = logger()
	}
	done := working(fmt.Sprintf("seed: creating a demo bank of %d customers", *n))
	res, err := demobank.Seed(ctx, pool, opts)
	done()
	if err != nil {
		return err
	}
	fmt.Printf("seeded in %v: %d customers (%.0f/s), %d accounts, %d staff, %d interactions with %d events, %d notes, %d complaints, %d consent records\n",
		res.Took.Round(100_000_000), res.Customers, float64(res.Customers)/res.Took.Seconds(), res.Accounts, res.Agents,
		res.Interactions, res.Events, res.Notes, res.Complaints, res.ConsentChanges)
	return writeUsers(res.Users)
}

func writeUsers(users []demobank.User) error {
	if len(users) == 0 {
		return fmt.Errorf("no demo users: the database was not seeded by switchboardctl seed")
	}
	fmt.Println("\nDemo users (every user of a role shares its password):")
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "  role\tusername\tpassword")
	for _, u := range users {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", u.Role, u.Username, u.Password)
	}
	return w.Flush()
}
