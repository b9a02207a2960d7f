package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"switchboard/customers/demobank"
)

// readmeBlock returns the first ```sh block after heading in README.md.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n"+heading+"\n")
	if i < 0 {
		t.Fatalf("README.md has no heading %q", heading)
	}
	m := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(s[i:])
	if m == nil {
		t.Fatalf("no sh block under %q", heading)
	}
	return m[1]
}

// TestReadmeCurlOnDemoBank runs the README's curl examples as written, on
// the demo bank make run seeds, against a real server: each request must
// succeed (curl fails on an HTTP error) and print what jq expects.
func TestReadmeCurlOnDemoBank(t *testing.T) {
	c := startNodes(t)
	ctx := context.Background()
	start := time.Now()
	if _, err := demobank.Seed(ctx, c.pool, demobank.Options{Customers: 20_000, Agents: 60, Seed: 1,
		Interactions: demobank.DefaultInteractionsPerCustomer * 20_000}); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo bank seeded in %v", time.Since(start).Round(time.Millisecond))
	host := strings.TrimPrefix(c.a.base, "http://")
	for _, heading := range []string{"### Try it with curl", "### Campaigns and events with curl"} {
		script := strings.ReplaceAll(readmeBlock(t, heading), "localhost:8080", host)
		// curl fails on an HTTP error status, and so does the pipe into jq.
		cmd := exec.Command("bash", "-c", "set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; }\n"+script)
		cmd.Env = append(c.env(), "SWITCHBOARD_PUBLIC_URL="+c.a.base)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", heading, err, out)
		}
		if strings.Contains(string(out), `"error"`) || strings.Contains(string(out), "null\n") {
			t.Errorf("%s printed an error or null:\n%s", heading, out)
		}
		t.Logf("%s:\n%s", heading, out)
	}
}
