package switchboard_test

import (
	"os"
	"strings"
	"testing"
)

// TestLicense holds the README's "open source" to a licence file a bank's
// legal review can read, and the README to naming the same one.
func TestLicense(t *testing.T) {
	text, err := os.ReadFile("LICENSE")
	if err != nil {
		t.Fatalf("read LICENSE: %v", err)
	}
	if !strings.Contains(string(text), "Apache License") || !strings.Contains(string(text), "Version 2.0, January 2004") {
		t.Fatal("LICENSE is not the Apache License 2.0")
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatalf("read README.md: %v", err)
	}
	if !strings.Contains(string(readme), "Apache License 2.0") {
		t.Fatal("README.md does not name the licence in LICENSE")
	}
}
