package demobank

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard/interactions"
)

// tableCopy is one table of the demo bank: fill appends the rows generated
// for index i (a customer or an interaction) to rows. into, when set, is
// the table's owner's own COPY of rows of cols (the interactions package's
// history); without it the rows are copied into table here.
type tableCopy struct {
	table string
	cols  []string
	fill  func(s *seeder, g *gen, i uint64, rows [][]any) [][]any
	into  func(ctx context.Context, db interactions.Copier, rows pgx.CopyFromSource) (int64, error)
}

// gen is one goroutine's random sources: r for the row's own draws, c for
// regenerating the customer it refers to.
type gen struct {
	src, csrc *rand.PCG
	r, c      *rand.Rand
}

func newGen() *gen {
	g := &gen{src: rand.NewPCG(0, 0), csrc: rand.NewPCG(0, 0)}
	g.r, g.c = rand.New(g.src), rand.New(g.csrc)
	return g
}

// copy streams the rows of indexes [lo, hi) into t.table with COPY.
func (s *seeder) copy(ctx context.Context, pool *pgxpool.Pool, t tableCopy, lo, hi uint64, count *int64) error {
	start := time.Now()
	src := &rowSource{s: s, g: newGen(), t: t, next: lo, hi: hi}
	var n int64
	var err error
	if t.into != nil {
		n, err = t.into(ctx, pool, pgx.CopyFromFunc(src.row))
	} else {
		n, err = pool.CopyFrom(ctx, pgx.Identifier{t.table}, t.cols, pgx.CopyFromFunc(src.row))
	}
	*count = n
	if err != nil {
		return fmt.Errorf("copy %s: %w", t.table, err)
	}
	s.opts.Log.Debug("seed: copied", "table", t.table, "rows", n, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// rowSource hands COPY one row at a time, generating the rows of one index
// whenever the last ones are used up.
type rowSource struct {
	s        *seeder
	g        *gen
	t        tableCopy
	next, hi uint64
	rows     [][]any
	at       int
}

func (src *rowSource) row() ([]any, error) {
	for src.at == len(src.rows) {
		if src.next >= src.hi {
			return nil, nil
		}
		src.rows, src.at = src.t.fill(src.s, src.g, src.next, src.rows[:0]), 0
		src.next++
	}
	src.at++
	return src.rows[src.at-1], nil
}

// money is cents as a numeric(18, 2).
func money(cents int64) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(cents), Exp: -2, Valid: true}
}
