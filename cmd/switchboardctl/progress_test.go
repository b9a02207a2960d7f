package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestProgress: on a terminal a long step shows its label and keeps redrawing
// it, and clears the line when done; elsewhere it writes nothing at all.
func TestProgress(t *testing.T) {
	var tty syncBuffer
	done := progress(&tty, true, "seed: loading customers", 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	done()
	done() // ending twice is harmless
	out := tty.String()
	if n := strings.Count(out, "seed: loading customers…"); n < 2 {
		t.Errorf("terminal got the label %d times, want it redrawn: %q", n, out)
	}
	if !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("terminal line not cleared at the end: %q", out)
	}
	var pipe syncBuffer
	done = progress(&pipe, false, "seed", 10*time.Millisecond)
	time.Sleep(30 * time.Millisecond)
	done()
	if pipe.String() != "" {
		t.Errorf("a pipe got %q, want nothing", pipe.String())
	}
}
