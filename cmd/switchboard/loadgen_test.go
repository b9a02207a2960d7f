package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// buildCtl builds the operator's command into a temporary directory.
func buildCtl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "switchboardctl")
	if out, err := exec.Command("go", "build", "-o", bin, "../switchboardctl").CombinedOutput(); err != nil {
		t.Fatalf("go build switchboardctl: %v\n%s", err, out)
	}
	return bin
}

// TestLoadgenDeskRoutesPops runs the README's load generator, small, against
// a server whose queues require skills as the demo bank's do: every pop it
// routes must reach a synthetic desk. It once routed none, because its
// agents lacked the skill the seeded "general" queue requires.
func TestLoadgenDeskRoutesPops(t *testing.T) {
	c := startNodes(t)
	c.exec(t, `INSERT INTO queues (name, title, title_zh, skills) VALUES ('general', 'General', '综合', '{general}'),
		('cards', 'Cards', '信用卡', '{cards}')`)
	cmd := exec.Command(buildCtl(t), "loadgen", "desk", "-url", c.a.base, "-conns", "12", "-available", "4",
		"-pops", "10", "-rate", "20", "-settle", "100ms")
	cmd.Env = append(c.env(), "SWITCHBOARD_PUBLIC_URL="+c.a.base)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("loadgen: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`screen pops received: (\d+)`).FindAllSubmatch(out, -1)
	if len(m) == 0 || string(m[len(m)-1][1]) != "10" {
		t.Fatalf("loadgen did not report 10 pops received:\n%s", out)
	}
	t.Logf("loadgen ran in %v", time.Since(start).Round(time.Millisecond))
}
