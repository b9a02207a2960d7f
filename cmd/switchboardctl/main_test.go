package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

// ctl builds switchboardctl once per test and runs it with env on top of a
// bare environment (no Twilio settings), returning its exit status and output.
func ctlRunner(t *testing.T) func(env []string, args ...string) (int, string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboardctl")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return func(env []string, args ...string) (int, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, env...)
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
}

// TestCommandLine holds the operator's command to the usual conventions:
// help asked for exits 0 and needs no configuration, a usage mistake exits
// 2, and version and migrate status answer.
func TestCommandLine(t *testing.T) {
	ctl := ctlRunner(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "commands:"},
		{[]string{"help"}, 0, "loadgen"},
		{nil, 2, "usage: switchboardctl"},
		{[]string{"nosuch"}, 2, `unknown command "nosuch"`},
		{[]string{"twiliosim", "-h"}, 0, "-trickle"},
		{[]string{"loadgen", "-h"}, 0, "loadgen desk"},
		{[]string{"loadgen", "desk", "-h"}, 0, "-conns"},
		{[]string{"loadgen"}, 2, "usage: switchboardctl loadgen desk"},
		{[]string{"seed", "-h"}, 0, "--print-users"},
		{[]string{"sim", "-h"}, 0, "-agents"},
		{[]string{"tiers", "-h"}, 0, "--recompute"},
		{[]string{"migrate", "-h"}, 0, "migrate status"},
		{[]string{"migrate", "sideways"}, 2, "usage: switchboardctl migrate [status]"},
		{[]string{"version"}, 0, "switchboardctl dev (commit "},
	} {
		code, out := ctl(nil, c.args...)
		if code != c.code || !strings.Contains(out, c.want) {
			t.Errorf("switchboardctl %v: exit %d, want %d with %q in:\n%s", c.args, code, c.code, c.want, out)
		}
	}
}

// TestMigrateStatus lists every migration as pending on an empty database
// and as applied after migrate, changing nothing itself.
func TestMigrateStatus(t *testing.T) {
	ctl := ctlRunner(t)
	url := testenv.MustCreateEmptyDB(t)
	env := []string{"DATABASE_URL=" + url, "REDIS_URL=" + testenv.RedisURL()}
	code, out := ctl(env, "migrate", "status")
	if m := regexp.MustCompile(`(\d+) migrations, (\d+) pending`).FindStringSubmatch(out); code != 0 || m == nil || m[1] != m[2] ||
		!regexp.MustCompile(`00001_foundation.sql +pending`).MatchString(out) {
		t.Fatalf("status of an empty database: exit %d:\n%s", code, out)
	}
	pool, err := pgdb.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if pending, err := pgdb.Pending(context.Background(), pool); err != nil || !pending {
		t.Fatalf("migrate status applied something: pending=%v err=%v", pending, err)
	}
	if code, out := ctl(env, "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d:\n%s", code, out)
	}
	code, out = ctl(env, "migrate", "status")
	if code != 0 || !strings.Contains(out, " migrations, 0 pending") || regexp.MustCompile(`sql +pending`).MatchString(out) ||
		!regexp.MustCompile(`00001_foundation.sql +20\d\d-`).MatchString(out) {
		t.Fatalf("status after migrate: exit %d:\n%s", code, out)
	}
}
