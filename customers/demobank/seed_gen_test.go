package demobank

import (
	"testing"
	"time"
)

// BenchmarkSeedGenerate measures the Go side of the seed alone: generating
// every row of one customer, for all tables, without a database.
func BenchmarkSeedGenerate(b *testing.B) {
	s := &seeder{now: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), salt: 42, n: 1_000_000, bands: defaultBands(),
		opts: Options{Interactions: 1_000_000},
		crew: &crew{rms: []int64{1, 2, 3}, all: []int64{4, 5}, byTeam: map[string][]int64{"general": {4}}, sups: map[string]int64{}}}
	s.totalWeight = s.weightBefore(s.n)
	tables := []tableCopy{customerCopy, accountCopy, interactionCopy, eventCopy, noteCopy, complaintCopy, consentCopy}
	g := newGen()
	var rows [][]any
	i := uint64(0)
	for b.Loop() {
		for _, t := range tables {
			rows = t.fill(s, g, i%s.n, rows[:0])
		}
		i++
	}
}
