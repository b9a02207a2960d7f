package demobank

import (
	"testing"

	"switchboard/phone"
)

func TestSeedPhonesAreValidAndUnique(t *testing.T) {
	seen := map[string]bool{}
	var idxs []uint64
	for i := range uint64(150) {
		// Neighbours, and customers a block of a million apart.
		idxs = append(idxs, i*211, i*211+1e6, i*211+4e6, i*211+1e4)
	}
	for _, c := range []country{china, hongKong, britain, america} {
		for _, i := range idxs {
			alts := []bool{false}
			if c.code == "86" {
				alts = append(alts, true)
			}
			for _, alt := range alts {
				p := phoneOf(c, i, alt)
				n, err := phone.Normalize(p, "CN")
				if err != nil || n != p {
					t.Fatalf("%s: %q, %v", c.code, n, err)
				}
				if seen[p] {
					t.Fatalf("%s used twice", p)
				}
				seen[p] = true
			}
		}
	}
}

func TestSeedPhonesUniqueAtScale(t *testing.T) {
	seen := make(map[string]bool, 70_000)
	for _, c := range []country{china, hongKong, britain, america} {
		for i := uint64(0); i < 8_000_000; i += 499 {
			p := phoneOf(c, i, false)
			if seen[p] {
				t.Fatalf("%s used twice", p)
			}
			seen[p] = true
		}
	}
}

func TestNationalIDCheckCharacter(t *testing.T) {
	// A published sample: 11010519491231002X.
	if got := checkChar("11010519491231002"); got != "X" {
		t.Errorf("check character %s, want X", got)
	}
}
