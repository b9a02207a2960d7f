// Package migrations holds the numbered SQL migrations of the Postgres
// schema, embedded into every binary. Each file is a goose migration
// (-- +goose Up / Down) applied in its own transaction; pgdb.Migrate applies
// them.
package migrations

import "embed"

// FS holds every *.sql migration, named NNNNN_what.sql.
//
//go:embed *.sql
var FS embed.FS
