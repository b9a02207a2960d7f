// Package phone normalises telephone numbers to E.164, the one form the
// contact centre stores and compares. Numbers arrive from Twilio webhooks
// (already E.164), from chat forms and from bank systems (national forms such
// as "138 0013 8000", "0086 138…" or "86138…" without the plus sign).
package phone

import (
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"

	"switchboard"
)

// maxInput bounds what is handed to the parser: no real number, with its
// punctuation, is longer.
const maxInput = 40

// Normalize returns raw in E.164 form ("+8613800138000"). defaultRegion is the
// ISO 3166 region ("CN", "US") assumed for numbers written without a country
// code. A number written with "86" but without "+" or "00" is recognised when
// it is not a valid national number of defaultRegion but is a valid Chinese
// one. Anything that is not a valid number (letters, wrong length, unknown
// country code) is a switchboard.ErrInvalid error.
func Normalize(raw, defaultRegion string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "phone number is empty")
	}
	if len(s) > maxInput || !wellFormed(s) {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "phone number %q is malformed", clip(s))
	}
	region := strings.ToUpper(defaultRegion)
	if n, ok := recent.get(region + " " + s); ok {
		return n, nil
	}
	if n, ok := parse(s, region); ok {
		recent.put(region+" "+s, n)
		return n, nil
	}
	// "8613800138000": a Chinese number whose country code lost its plus.
	if d := digits(s); !strings.HasPrefix(s, "+") && strings.HasPrefix(d, "86") {
		if n, ok := parse("+"+d, region); ok {
			return n, nil
		}
	}
	return "", switchboard.Errorf(switchboard.ErrInvalid, "phone number %q is not a valid number", clip(s))
}

// recent remembers the numbers normalised lately. Parsing is a tenth of
// the Go time of an SMS webhook, and numbers come again: the bank's own on
// every webhook, a customer's on each text of a conversation.
var recent = &memo{max: 8192}

// memo is a bounded map of inputs to their E.164 forms, in two
// generations: when the current one is full it becomes the previous one,
// and what is looked up there moves back, so a number in use stays.
type memo struct {
	max       int
	mu        sync.Mutex
	cur, prev map[string]string
}

func (m *memo) get(k string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.cur[k]; ok {
		return v, true
	}
	v, ok := m.prev[k]
	if ok {
		m.putLocked(k, v)
	}
	return v, ok
}

func (m *memo) put(k, v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.putLocked(k, v)
}

func (m *memo) putLocked(k, v string) {
	if m.cur == nil || len(m.cur) >= m.max {
		m.prev, m.cur = m.cur, make(map[string]string, m.max)
	}
	m.cur[k] = v
}

// parse returns the E.164 form of s if s is a valid number.
func parse(s, region string) (string, bool) {
	if region == "" && !strings.HasPrefix(s, "+") {
		return "", false
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", false
	}
	return phonenumbers.Format(num, phonenumbers.E164), true
}

// wellFormed accepts digits and the punctuation people write numbers with; a
// plus sign only at the start. Letters are refused: vanity numbers are not
// something a customer's phone reports.
func wellFormed(s string) bool {
	nd := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			nd++
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return false
		}
	}
	return nd >= 3
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clip keeps error messages short however long the input.
func clip(s string) string {
	if len(s) > maxInput {
		return s[:maxInput] + "…"
	}
	return s
}
