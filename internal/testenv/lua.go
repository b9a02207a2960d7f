package testenv

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var (
	luaKeyTable = regexp.MustCompile(`(?s)\bK = \{(.*?)\}`)
	luaKeyEntry = regexp.MustCompile(`(\w+) = (?:KEYS|keys)\[(\d+)\]`)
	luaKeyIndex = regexp.MustCompile(`\b(?:KEYS|keys)\[`)
)

// LuaKeyNames returns the names a Redis script gives its KEYS, in KEYS
// order, from the one table that names them, `K = {name = KEYS[1], ...}`
// (or `keys[1]`, a function's argument), so that a test can hold them to
// the order the Go code passes the keys in. It fails the test when there
// is no such table, when the table skips a place, or when the script
// reaches a key by its place anywhere else.
func LuaKeyNames(tb testing.TB, src string) []string {
	tb.Helper()
	m := luaKeyTable.FindStringSubmatch(src)
	if m == nil {
		tb.Fatal("the script has no table K = {name = KEYS[1], ...}")
	}
	var names []string
	for i, e := range luaKeyEntry.FindAllStringSubmatch(m[1], -1) {
		if n, _ := strconv.Atoi(e[2]); n != i+1 {
			tb.Fatalf("K.%s is key %d, at place %d of the table", e[1], n, i+1)
		}
		names = append(names, e[1])
	}
	if all := len(luaKeyIndex.FindAllString(src, -1)); all != len(names) {
		tb.Fatalf("the script reaches keys by place %d times outside K: %q", all-len(names),
			strings.Join(luaKeyIndex.FindAllString(src, -1), " "))
	}
	return names
}
