package demobank

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/customers"
	"switchboard/pgdb"
)

// SeedOptions describes the demo bank to create.
type Options struct {
	Customers    int   // 1 to MaxSeedCustomers
	Agents       int   // contact-centre agents (role agent), 1 to 10,000; RMs, supervisors, a marketer and an admin come on top
	Interactions int   // past interactions over the last two years; 0 means none
	Seed         int64 // the same seed gives the same bank
	Now          time.Time
	Log          *slog.Logger // progress, one line per step; none when nil
}

// MaxSeedCustomers bounds a demo bank; its phone numbers are unique up to
// eight million customers.
const MaxCustomers = 5_000_000

// DefaultInteractionsPerCustomer is the history switchboardctl seed creates
// unless told otherwise.
const DefaultInteractionsPerCustomer = 1

// SeedResult says what Seed created, and the demo logins.
type Result struct {
	Customers, Accounts, Agents, Interactions, Events, Notes, Complaints, ConsentChanges int64
	Users                                                                                []User
	Took                                                                                 time.Duration
}

func (o Options) check() error {
	switch {
	case o.Customers < 1 || o.Customers > MaxCustomers:
		return switchboard.Errorf(switchboard.ErrInvalid, "customers must be from 1 to %d, not %d", MaxCustomers, o.Customers)
	case o.Agents < 1 || o.Agents > 10_000:
		return switchboard.Errorf(switchboard.ErrInvalid, "agents must be from 1 to 10000, not %d", o.Agents)
	case o.Interactions < 0 || o.Interactions > 100*o.Customers:
		return switchboard.Errorf(switchboard.ErrInvalid, "interactions must be from 0 to 100 per customer, not %d", o.Interactions)
	}
	return nil
}

// seeder holds what every pass of the seed shares. It is read-only once the
// staff exist, so the passes run concurrently.
type seeder struct {
	opts  Options
	now   time.Time
	salt  uint64
	n     uint64 // customers
	bands bands
	// totalWeight is weightBefore(n), the contact weight of all customers.
	totalWeight uint64
	crew        *crew
}

// seedLock keeps two seeds from filling the same database at once.
const seedLock = `hashtext('switchboard.customers.seed')`

// Seed fills an empty database with a deterministic demo bank: staff, teams
// and queues, customers in the value tiers 2.5 / 17.5 / 20 / 60 % (and 15 /
// 65 / 20 % core, active, dormant) under the tier policy in force, their
// accounts, notes, complaints and consent records, and a history of past
// interactions with their events. Rows go in with COPY, several tables at
// once. A database that already has staff, customers or interactions is
// refused with ErrConflict and left as it was; a seed that fails part-way
// empties what it filled.
func Seed(ctx context.Context, pool *pgxpool.Pool, opts Options) (Result, error) {
	start := time.Now()
	if opts.Now.IsZero() {
		opts.Now = start
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if err := opts.check(); err != nil {
		return Result{}, fmt.Errorf("demobank: seed: %w", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("demobank: seed: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(`+seedLock+`)`); err != nil {
		return Result{}, fmt.Errorf("demobank: seed: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+seedLock+`)`) //nolint:errcheck // the session ends anyway
	if err := checkEmpty(ctx, conn); err != nil {
		return Result{}, fmt.Errorf("demobank: seed: %w", err)
	}
	res, err := seed(ctx, pool, conn, opts)
	if err != nil {
		if _, terr := conn.Exec(context.WithoutCancel(ctx), truncateSeeded); terr != nil {
			err = fmt.Errorf("%w (and emptying the half-filled database failed: %v)", err, terr)
		}
		return Result{}, fmt.Errorf("demobank: seed: %w", pgdb.FormatError(err))
	}
	res.Took = time.Since(start)
	return res, nil
}

// truncateSeeded empties what a failed seed half filled. CASCADE takes the
// tables that refer to these with them: the interactions, their events and
// messages (which only the interactions package writes) go because they
// refer to customers and agents.
const truncateSeeded = `TRUNCATE notes, complaints, consent_changes, accounts,
	tier_changes, customers, agents, queues, teams RESTART IDENTITY CASCADE`

func checkEmpty(ctx context.Context, conn *pgxpool.Conn) error {
	var what string
	err := conn.QueryRow(ctx, `SELECT coalesce(
		(SELECT 'agents' FROM agents LIMIT 1), (SELECT 'customers' FROM customers LIMIT 1),
		(SELECT 'teams' FROM teams LIMIT 1), (SELECT 'queues' FROM queues LIMIT 1),
		(SELECT 'interactions' FROM interactions LIMIT 1), '')`).Scan(&what)
	if err != nil {
		return err
	}
	if what != "" {
		return switchboard.Errorf(switchboard.ErrConflict, "the database is not empty (it has %s); the demo bank goes only into an empty one", what)
	}
	return nil
}

func seed(ctx context.Context, pool *pgxpool.Pool, conn *pgxpool.Conn, opts Options) (Result, error) {
	p, err := customers.NewService(pool, customers.Config{}).Policy(ctx)
	if err != nil {
		return Result{}, err
	}
	s := &seeder{opts: opts, now: opts.Now.UTC().Truncate(time.Second), salt: mix(uint64(opts.Seed), 0x5eed), n: uint64(opts.Customers)}
	if s.bands, err = bandsOf(p); err != nil {
		return Result{}, err
	}
	s.totalWeight = s.weightBefore(s.n)
	err = pgdb.InTx(ctx, pool, func(tx pgx.Tx) error {
		s.crew, err = seedStaff(ctx, tx, opts, s.rmCount())
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("staff: %w", err)
	}
	res := Result{Agents: s.crew.count, Users: s.crew.users}
	if err := s.load(ctx, pool, &res); err != nil {
		return Result{}, err
	}
	_, err = conn.Exec(ctx, `
		SELECT setval(pg_get_serial_sequence('teams', 'id'), (SELECT max(id) FROM teams));
		SELECT setval(pg_get_serial_sequence('agents', 'id'), (SELECT max(id) FROM agents));
		SELECT setval(pg_get_serial_sequence('customers', 'id'), (SELECT max(id) FROM customers));
		SELECT setval(pg_get_serial_sequence('interactions', 'id'), coalesce((SELECT max(id) FROM interactions), 1));
		ANALYZE teams, agents, queues, customers, accounts, interactions, interaction_events, notes, complaints, consent_changes`)
	return res, err
}

// rmCount is one RM per about 200 private and VIP customers.
func (s *seeder) rmCount() int {
	var pv uint64
	for i := range s.n {
		if s.tierOf(i).Rank() <= 1 {
			pv++
		}
	}
	return int(max(1, (pv+100)/200))
}

// seedWorkers is how many ranges of customers load at once, each on its own
// connection. Ranges are disjoint, so no two loads ever lock the same
// customer row for their foreign keys.
const seedWorkers = 3

// load splits the customers into ranges and loads each range, with
// everything that refers to its customers, at once.
func (s *seeder) load(ctx context.Context, pool *pgxpool.Pool, res *Result) error {
	parts := make([]Result, seedWorkers)
	fns := make([]func(context.Context) error, seedWorkers)
	for w := range uint64(seedWorkers) {
		lo, hi := s.n*w/seedWorkers, s.n*(w+1)/seedWorkers
		fns[w] = func(ctx context.Context) error { return s.loadRange(ctx, pool, lo, hi, &parts[w]) }
	}
	err := parallel(ctx, fns...)
	for _, p := range parts {
		res.Customers += p.Customers
		res.Accounts += p.Accounts
		res.Interactions += p.Interactions
		res.Events += p.Events
		res.Notes += p.Notes
		res.Complaints += p.Complaints
		res.ConsentChanges += p.ConsentChanges
	}
	return err
}

// loadRange copies customers [lo, hi), then each table that refers to them,
// parents before children.
func (s *seeder) loadRange(ctx context.Context, pool *pgxpool.Pool, lo, hi uint64, res *Result) error {
	for _, step := range []struct {
		t     tableCopy
		count *int64
	}{
		{customerCopy, &res.Customers}, {accountCopy, &res.Accounts}, {interactionCopy, &res.Interactions},
		{eventCopy, &res.Events}, {noteCopy, &res.Notes}, {complaintCopy, &res.Complaints},
		{consentCopy, &res.ConsentChanges},
	} {
		if err := s.copy(ctx, pool, step.t, lo, hi, step.count); err != nil {
			return err
		}
	}
	s.opts.Log.Info("seed: customers loaded", "from", lo+1, "to", hi)
	return nil
}

// parallel runs fns at once and returns the first error; the others' context
// is cancelled then.
func parallel(ctx context.Context, fns ...func(context.Context) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for _, fn := range fns {
		wg.Go(func() {
			if err := fn(ctx); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && ctx.Err() != nil {
		return err
	}
	return nil
}
