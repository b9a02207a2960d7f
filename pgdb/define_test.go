package pgdb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

// TestDefineConcurrently: nodes starting together each replace the same
// functions, and every one of them succeeds; several statements go in one
// call.
func TestDefineConcurrently(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() {
			errs[i] = pgdb.Define(ctx, pool, fmt.Sprintf(`
				CREATE OR REPLACE FUNCTION define_test_a() RETURNS int LANGUAGE sql AS $$ SELECT %d $$;
				CREATE OR REPLACE FUNCTION define_test_b() RETURNS int LANGUAGE sql AS $$ SELECT define_test_a() + 1 $$;`, i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("define %d: %v", i, err)
		}
	}
	var a, b int
	if err := pool.QueryRow(ctx, `SELECT define_test_a(), define_test_b()`).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if b != a+1 || a < 0 || a >= len(errs) {
		t.Fatalf("define_test_a, _b = %d, %d; want one definer's values", a, b)
	}
}
