package phone

import "testing"

// TestMemoIsBounded fills a memo of two past its size: it never holds more
// than two generations, and a key read from the previous one is kept.
func TestMemoIsBounded(t *testing.T) {
	m := &memo{max: 2}
	m.put("a", "1")
	m.put("b", "2")
	m.put("c", "3") // a and b become the previous generation
	if v, ok := m.get("a"); !ok || v != "1" {
		t.Fatalf("a = %q, %v after one rotation", v, ok)
	}
	m.put("d", "4") // c and a (moved back) become the previous generation; b goes
	if _, ok := m.get("b"); ok {
		t.Fatal("b survived two rotations without a read")
	}
	if v, ok := m.get("a"); !ok || v != "1" {
		t.Fatalf("a = %q, %v: a key in use was dropped", v, ok)
	}
	if n := len(m.cur) + len(m.prev); n > 2*m.max {
		t.Fatalf("memo holds %d entries, bound %d", n, 2*m.max)
	}
}
