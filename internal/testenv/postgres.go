package testenv

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard/pgdb"
)

// PrivatePostgres is a PostgreSQL server of one test's own, for tests that
// stop, kill or restart Postgres under load: doing that to the shared
// server would break every other test running on the machine. It listens
// on 127.0.0.1 at a free port and runs as the postgres user from a
// temporary data directory that is removed when the test ends.
type PrivatePostgres struct {
	URL  string // a migrated database "switchboard" on it
	Port int

	tb  testing.TB
	dir string // data directory, also the socket directory
	bin string // the server's binaries
}

// MustPrivatePostgres initialises, starts and migrates a private server.
// It is stopped (immediately) and removed in tb.Cleanup. It needs the
// PostgreSQL server binaries (/usr/lib/postgresql/*/bin) and, when the test
// runs as root, the postgres system user; missing either fails the test.
func MustPrivatePostgres(tb testing.TB) *PrivatePostgres {
	tb.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		tb.Fatal("testenv: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (make test installs them)")
	}
	dir, err := os.MkdirTemp("", "sbpg-")
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	p := &PrivatePostgres{tb: tb, dir: dir, bin: filepath.Dir(bins[len(bins)-1]), Port: freePort(tb)}
	tb.Cleanup(func() {
		p.pgctl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chown", "postgres:postgres", dir).CombinedOutput(); err != nil {
			tb.Fatalf("testenv: chown %s to postgres: %v: %s", dir, err, out)
		}
	}
	if out, err := p.command(filepath.Join(p.bin, "initdb"), "-D", dir, "-U", "postgres", "-A", "trust",
		"--no-sync", "-E", "UTF8", "--locale", "C").CombinedOutput(); err != nil {
		tb.Fatalf("testenv: initdb: %v: %s", err, out)
	}
	p.Start()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, p.dsn("postgres"))
	if err != nil {
		tb.Fatalf("testenv: private Postgres: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE switchboard"); err != nil {
		tb.Fatalf("testenv: private Postgres: %v", err)
	}
	p.URL = p.dsn("switchboard")
	pool, err := pgdb.Open(ctx, p.URL)
	if err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	defer pool.Close()
	if err := pgdb.Migrate(ctx, pool, slog.New(slog.DiscardHandler)); err != nil {
		tb.Fatalf("testenv: %v", err)
	}
	return p
}

// Start starts the server and waits until it accepts connections.
func (p *PrivatePostgres) Start() {
	p.tb.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60", p.Port, p.dir)
	if out, err := p.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(p.dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(p.dir, "log"))
		p.tb.Fatalf("testenv: start private Postgres: %v: %s\n%s", err, out, log)
	}
}

// Kill stops the server at once, as a crash would: open connections break
// and new ones are refused until Start.
func (p *PrivatePostgres) Kill() {
	p.tb.Helper()
	if out, err := p.pgctl("stop", "-m", "immediate", "-w"); err != nil {
		p.tb.Fatalf("testenv: stop private Postgres: %v: %s", err, out)
	}
}

// Restart is Kill, a pause of down, then Start: what an operator's restart
// (or a failover) looks like to the clients.
func (p *PrivatePostgres) Restart(down time.Duration) {
	p.tb.Helper()
	p.Kill()
	time.Sleep(down)
	p.Start()
}

func (p *PrivatePostgres) dsn(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.Port, db)
}

func (p *PrivatePostgres) pgctl(args ...string) ([]byte, error) {
	return p.command(filepath.Join(p.bin, "pg_ctl"), append([]string{"-D", p.dir}, args...)...).CombinedOutput()
}

// command runs a server binary as the postgres user when the test runs as
// root (the server refuses to run as root).
func (p *PrivatePostgres) command(name string, args ...string) *exec.Cmd {
	if os.Geteuid() != 0 {
		return exec.Command(name, args...)
	}
	return exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
}

// freePort asks the kernel for a port no one listens on.
func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("testenv: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
