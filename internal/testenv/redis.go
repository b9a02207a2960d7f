package testenv

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// PrivateRedis is a Redis server of one test's own, for tests that kill or
// restart Redis under load without touching the shared one. It listens on
// 127.0.0.1 at a free port and keeps nothing on disk, as the machine's own
// does: a restart comes back empty.
type PrivateRedis struct {
	URL  string
	Port int

	tb  testing.TB
	cmd *exec.Cmd
}

// MustPrivateRedis starts a private server, stopped when the test ends. It
// needs redis-server on PATH (make test installs it).
func MustPrivateRedis(tb testing.TB) *PrivateRedis {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		tb.Fatal("testenv: redis-server is not installed (make test installs it)")
	}
	r := &PrivateRedis{tb: tb, Port: freePort(tb)}
	r.URL = fmt.Sprintf("redis://127.0.0.1:%d/0", r.Port)
	tb.Cleanup(r.Kill)
	r.Start()
	return r
}

// Start starts the server and waits until it answers.
func (r *PrivateRedis) Start() {
	r.tb.Helper()
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(r.Port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no")
	if err := r.cmd.Start(); err != nil {
		r.tb.Fatalf("testenv: start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(r.Port), DisableIdentity: true})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
	}
	r.tb.Fatalf("testenv: private redis-server on port %d never answered", r.Port)
}

// Kill stops the server at once, as a crash would; its data is gone.
func (r *PrivateRedis) Kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.cmd = nil
	}
}
