package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"switchboard/cmd/internal/config"
	"switchboard/customers"
	"switchboard/pgdb"
)

// specs collects a repeatable flag.
type specs []string

func (s *specs) String() string     { return strings.Join(*s, " ") }
func (s *specs) Set(v string) error { *s = append(*s, v); return nil }

// cmdTiers shows and changes the tiering policy, recomputes every
// customer's tier, and counts customers per tier.
func cmdTiers(ctx context.Context, env config.Env, args []string) error {
	fs := flag.NewFlagSet("tiers", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: switchboardctl tiers [--set-value TIER:field=v,...] [--set-activity LAYER:field=v,...] [--recompute] [--json]\n\n"+
			"Without flags, prints the tiering policy and the customers per tier and layer. Policy changes apply\n"+
			"at the next --recompute, which then runs first-to-last in one transaction. Examples:\n"+
			"  switchboardctl tiers --set-value private:min_aum=8000000,min_profit=30000 --recompute\n"+
			"  switchboardctl tiers --set-activity core:max_idle_days=14,min_txn_90d=25\n"+
			"  switchboardctl tiers --json")
		fs.PrintDefaults()
	}
	var setValue, setActivity specs
	fs.Var(&setValue, "set-value", "change a value tier's thresholds: TIER:min_aum=AMOUNT,min_profit=AMOUNT (private, vip, standard; repeatable)")
	fs.Var(&setActivity, "set-activity", "change an activity layer's conditions: LAYER:max_idle_days=N,min_txn_90d=N (core, active; repeatable)")
	recompute := fs.Bool("recompute", false, "recompute every customer's tier and layer, recording each change")
	asJSON := fs.Bool("json", false, `print only {"value_tier":{...},"activity_layer":{...}}, the customers per tier and layer`)
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
	svc := customers.NewService(pool, customers.Config{})
	// With --json, stdout carries the document alone; the rest goes to stderr.
	var info io.Writer = os.Stdout
	if *asJSON {
		info = os.Stderr
	}
	for _, change := range setValue {
		if _, err := svc.SetValuePolicy(ctx, change); err != nil {
			return err
		}
		fmt.Fprintf(info, "policy changed: %s\n", change)
	}
	for _, change := range setActivity {
		if _, err := svc.SetActivityPolicy(ctx, change); err != nil {
			return err
		}
		fmt.Fprintf(info, "policy changed: %s\n", change)
	}
	if *recompute {
		done := working("tiers: recomputing every customer's tier and layer")
		n, err := svc.Recompute(ctx, "recompute")
		done()
		if err != nil {
			return err
		}
		fmt.Fprintf(info, "%d customers changed tier or layer\n", n)
	}
	counts, err := svc.Counts(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(counts)
	}
	if *recompute || len(setValue)+len(setActivity) > 0 {
		return nil
	}
	return printPolicy(ctx, svc, counts)
}

func printPolicy(ctx context.Context, svc *customers.Service, counts customers.Counts) error {
	p, err := svc.Policy(ctx)
	if err != nil {
		return err
	}
	byTier := map[string]int64{"private": counts.ValueTier.Private, "vip": counts.ValueTier.VIP,
		"standard": counts.ValueTier.Standard, "mass": counts.ValueTier.Mass,
		"core": counts.ActivityLayer.Core, "active": counts.ActivityLayer.Active, "dormant": counts.ActivityLayer.Dormant}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "value tier\tmin AUM\tmin 12-month profit\tcustomers\t")
	for i, r := range p.Value {
		if i == len(p.Value)-1 { // the catch-all
			fmt.Fprintf(w, "%s\t(the rest)\t\t%d\t\n", r.Tier, byTier[string(r.Tier)])
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t\n", r.Tier, r.MinAUM, r.MinProfit, byTier[string(r.Tier)])
	}
	fmt.Fprintln(w, "\t\t\t\t\nactivity layer\tmax idle days\tmin transactions in 90 days\tcustomers\t")
	for i, r := range p.Activity {
		if i == len(p.Activity)-1 {
			fmt.Fprintf(w, "%s\t(the rest)\t\t%d\t\n", r.Layer, byTier[string(r.Layer)])
			continue
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t\n", r.Layer, r.MaxIdleDays, r.MinTxn90d, byTier[string(r.Layer)])
	}
	return w.Flush()
}
