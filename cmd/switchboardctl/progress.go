package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// onTerminal reports whether f is a terminal, where a person watches: there
// a long step shows it is alive; in a log or a pipe it keeps quiet.
func onTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// working shows on stderr, when it is a terminal, that a long step is still
// going: its label and the time so far, redrawn each second. The returned
// func clears the line; call it before printing the step's result.
func working(label string) (done func()) {
	return progress(os.Stderr, onTerminal(os.Stderr), label, time.Second)
}

func progress(w io.Writer, tty bool, label string, every time.Duration) (done func()) {
	if !tty {
		return func() {}
	}
	start := time.Now()
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			fmt.Fprintf(w, "\r\033[K%s… %s", label, time.Since(start).Round(time.Second))
			select {
			case <-stop:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(stop); <-stopped }) }
}
