// Package buildinfo says which build of Switchboard is running: the version
// stamped at link time, else the commit the Go toolchain recorded.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at link time by release builds:
// go build -ldflags "-X switchboard/cmd/internal/buildinfo.Version=v1.2.3".
var Version = "dev"

// String is the version, the commit and its time when the toolchain recorded
// them (a "+modified" mark for a dirty tree), and the Go version.
func String() string {
	commit, when, dirty := "unknown", "", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.time":
				when = " " + s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+modified"
				}
			}
		}
	}
	return fmt.Sprintf("%s (commit %s%s%s, %s)", Version, commit, dirty, when, runtime.Version())
}
