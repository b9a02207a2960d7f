//go:build race

package routing

// raceEnabled: the race detector slows the Go side several times over.
const raceEnabled = true
