package routing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/internal/rounds"
)

// maxFlushes is how many group commits may be under way at once. With
// synchronous_commit on, a commit waits for the WAL to reach the disk; two
// at a time lets the next group gather and start while one waits, and
// Postgres flushes their WAL together.
const maxFlushes = 2

// groupCommit makes the engine's Postgres writes in groups: the writes that
// arrive while a commit is under way go together in the next one, sent in
// one round trip and committed once, so one WAL flush serves many writes
// instead of each paying its own. Every caller still waits for the commit
// of its own write, so a write is as durable when write returns as it was
// in a transaction of its own, and a method that returns has its change in
// Postgres.
//
// A group fails as a whole when any of its statements fails; its writes
// are then made again one by one, so a bad write fails alone. A group cut
// off by a lost connection (Postgres restarting, a failover) is made again
// until Postgres takes it: the writes that record a decision Redis has
// made (keep) are retried for as long as the process lives, since the
// decision cannot be taken back; they record it once however often they
// are made (see persist). The others fail with ErrUnavailable and leave
// the retry to their caller.
type groupCommit struct {
	pool   *pgxpool.Pool
	rounds rounds.Rounds[*pgWrite]
	// patience is how long write waits for its writes before it answers
	// ErrUnavailable; the writes go on.
	patience time.Duration

	mu       sync.Mutex
	inflight map[int64]*flight // by lock: writes not yet made
}

// flight counts the unmade writes of one row; done closes when none is left.
type flight struct {
	n    int
	done chan struct{}
}

// pgWrite is one statement of one caller. read, when set, reads the
// statement's row; its error is the write's result (pgx.ErrNoRows is an
// answer, not a failure of the group).
type pgWrite struct {
	what string // for errors, e.g. "offer 12"
	lock int64  // the row it locks first: groups take locks in this order
	sql  string
	args []any
	read func(pgx.Row) error
	keep bool // retried until durable: the record of a decision made
	err  error
	done chan struct{}
}

// errNotDurable is write's answer when its writes are still being retried.
var errNotDurable = switchboard.Errorf(switchboard.ErrUnavailable,
	"the change is made but Postgres has not recorded it yet; it is being retried")

// recordPatience is how long a call waits for its records before it
// answers ErrUnavailable: a desk shows a temporary error and the agent
// tries again, rather than a frozen button while Postgres restarts.
const recordPatience = 5 * time.Second

func newGroupCommit(pool *pgxpool.Pool) *groupCommit {
	g := &groupCommit{pool: pool, patience: recordPatience, inflight: map[int64]*flight{}}
	g.rounds = rounds.Rounds[*pgWrite]{Do: g.flush, Max: maxFlushes}
	return g
}

// write makes ws in the next group commit and returns the first error
// among them. It returns ctx's error if ctx ends first, and errNotDurable
// when patience runs out; the writes may still be made (the kept ones
// will be).
func (g *groupCommit) write(ctx context.Context, ws ...*pgWrite) error {
	g.mu.Lock()
	for _, w := range ws {
		w.done = make(chan struct{})
		f := g.inflight[w.lock]
		if f == nil {
			f = &flight{done: make(chan struct{})}
			g.inflight[w.lock] = f
		}
		f.n++
	}
	g.mu.Unlock()
	g.rounds.Add(ws...)
	timeout := time.NewTimer(g.patience)
	defer timeout.Stop()
	var first error
	for _, w := range ws {
		select {
		case <-w.done:
			if w.err != nil && first == nil {
				first = w.err
				if w.what != "" {
					first = fmt.Errorf("%s: %w", w.what, w.err)
				}
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout.C:
			return errNotDurable
		}
	}
	return first
}

// settle waits until the writes of row lock handed to write so far are
// made: a call that finds its decision already made (a retry) answers only
// once that decision is durable. It answers as write does when ctx ends or
// patience runs out.
func (g *groupCommit) settle(ctx context.Context, lock int64) error {
	g.mu.Lock()
	f := g.inflight[lock]
	g.mu.Unlock()
	if f == nil {
		return nil
	}
	timeout := time.NewTimer(g.patience)
	defer timeout.Stop()
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-timeout.C:
		return errNotDurable
	}
}

// drained returns once no write is left unmade, or with ctx's error.
func (g *groupCommit) drained(ctx context.Context) error {
	for {
		g.mu.Lock()
		n := len(g.inflight)
		g.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// wait returns once every write handed to write so far has been made.
func (g *groupCommit) wait() { g.rounds.Wait() }

// flush commits group in one transaction, or each write alone if that
// fails, again and again while the connection fails. The callers have been
// answered when it returns.
func (g *groupCommit) flush(group []*pgWrite) {
	// The same order of row locks in every group, so that two groups (of
	// this process or another) never wait for each other in a cycle. The
	// sort is stable: one interaction's writes keep their order.
	slices.SortStableFunc(group, func(a, b *pgWrite) int { return cmp.Compare(a.lock, b.lock) })
	for pause := 50 * time.Millisecond; ; pause = min(2*pause, 2*time.Second) {
		if group = g.flushOnce(group); len(group) == 0 {
			return
		}
		time.Sleep(pause)
	}
}

// flushOnce tries group once. It answers the writes that are made or
// refused, and those cut off that are not kept, and returns the rest.
func (g *groupCommit) flushOnce(group []*pgWrite) (again []*pgWrite) {
	// Redis has decided; the record is written even if its caller has gone.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if len(group) > 1 {
		err := g.together(ctx, group)
		if err == nil {
			g.finish(group...)
			return nil
		}
		if lost(err) {
			return g.cutOff(group, err)
		}
	}
	for _, w := range group {
		if w.err = g.alone(ctx, w); lost(w.err) {
			again = append(again, g.cutOff([]*pgWrite{w}, w.err)...)
		} else {
			g.finish(w)
		}
	}
	return again
}

// cutOff answers the writes of group that are not kept with err, as
// unavailable, and returns the kept ones, to be made again.
func (g *groupCommit) cutOff(group []*pgWrite, err error) (again []*pgWrite) {
	for _, w := range group {
		if w.keep {
			w.err = nil
			again = append(again, w)
			continue
		}
		w.err = fmt.Errorf("%w: %w", switchboard.Errorf(switchboard.ErrUnavailable, "Postgres is unavailable"), err)
		g.finish(w)
	}
	return again
}

// finish answers the writes' callers.
func (g *groupCommit) finish(ws ...*pgWrite) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, w := range ws {
		close(w.done)
		if f := g.inflight[w.lock]; f != nil {
			if f.n--; f.n == 0 {
				close(f.done)
				delete(g.inflight, w.lock)
			}
		}
	}
}

// lost reports a failure of the connection rather than a statement
// Postgres refused: the server restarting, shutting down or unreachable.
// The write may or may not have committed.
func lost(err error) bool {
	if err == nil || errors.Is(err, pgx.ErrNoRows) {
		return false
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return true
	}
	c := pe.Code
	return strings.HasPrefix(c, "08") || strings.HasPrefix(c, "57P") || c == "53300" || c == "55006"
}

// together runs the group's statements in one implicit transaction: one
// round trip and one commit. It sets each write's result and returns an
// error when the transaction did not commit.
func (g *groupCommit) together(ctx context.Context, group []*pgWrite) error {
	b := &pgx.Batch{}
	for _, w := range group {
		q := b.Queue(w.sql, w.args...)
		if w.read != nil {
			q.QueryRow(func(row pgx.Row) error {
				w.err = w.read(row)
				if errors.Is(w.err, pgx.ErrNoRows) {
					return nil
				}
				return w.err
			})
		} else {
			q.Exec(func(pgconn.CommandTag) error { return nil })
		}
	}
	return g.pool.SendBatch(ctx, b).Close()
}

// alone makes one write in a statement of its own, again after a deadlock
// or serialization failure.
func (g *groupCommit) alone(ctx context.Context, w *pgWrite) error {
	var err error
	for try := 0; try < 5; try++ {
		if w.read != nil {
			err = w.read(g.pool.QueryRow(ctx, w.sql, w.args...))
		} else {
			_, err = g.pool.Exec(ctx, w.sql, w.args...)
		}
		if !retryable(err) {
			return err
		}
	}
	return err
}
