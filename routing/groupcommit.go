package routing

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

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
// are then made again one by one, so a bad write fails alone.
type groupCommit struct {
	pool   *pgxpool.Pool
	rounds rounds.Rounds[*pgWrite]
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
	err  error
	done chan struct{}
}

func newGroupCommit(pool *pgxpool.Pool) *groupCommit {
	g := &groupCommit{pool: pool}
	g.rounds = rounds.Rounds[*pgWrite]{Do: g.flush, Max: maxFlushes}
	return g
}

// write makes ws in the next group commit and returns the first error
// among them. It returns ctx's error if ctx ends first; the writes may
// still be made.
func (g *groupCommit) write(ctx context.Context, ws ...*pgWrite) error {
	for _, w := range ws {
		w.done = make(chan struct{})
	}
	g.rounds.Add(ws...)
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
		}
	}
	return first
}

// wait returns once every write handed to write so far has been made.
func (g *groupCommit) wait() { g.rounds.Wait() }

// flush commits group in one transaction, or each write alone if that
// fails. The callers have been answered when it returns.
func (g *groupCommit) flush(group []*pgWrite) {
	// Redis has decided; the record is written even if its caller has gone.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The same order of row locks in every group, so that two groups (of
	// this process or another) never wait for each other in a cycle. The
	// sort is stable: one interaction's writes keep their order.
	slices.SortStableFunc(group, func(a, b *pgWrite) int { return cmp.Compare(a.lock, b.lock) })
	if len(group) > 1 {
		if err := g.together(ctx, group); err == nil {
			finish(group)
			return
		} else if !errors.As(err, new(*pgconn.PgError)) {
			// Not Postgres refusing a statement: the connection failed,
			// perhaps during the commit, so the group may be in. Making the
			// writes again could record them twice.
			for _, w := range group {
				w.err = err
			}
			finish(group)
			return
		}
	}
	for _, w := range group {
		w.err = g.alone(ctx, w)
		close(w.done)
	}
}

func finish(group []*pgWrite) {
	for _, w := range group {
		close(w.done)
	}
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
