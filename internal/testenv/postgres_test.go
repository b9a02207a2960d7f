package testenv

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestPrivatePostgresRestarts: a killed private server breaks its
// connections, and once started again it has the migrated database.
func TestPrivatePostgresRestarts(t *testing.T) {
	p := MustPrivatePostgres(t)
	ctx := context.Background()
	c, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	p.Kill()
	if _, err := c.Exec(ctx, "SELECT 1"); err == nil {
		t.Fatal("a killed server answered")
	}
	p.Start()
	c2, err := pgx.Connect(ctx, p.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(ctx)
	var n int
	if err := c2.QueryRow(ctx, "SELECT count(*) FROM interactions").Scan(&n); err != nil {
		t.Fatal(err)
	}
}
