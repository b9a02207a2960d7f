package campaigns

import (
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // customers' zones, whatever the host has installed
)

// Window is when customers may be called or texted, in each customer's own
// local time: from Start to End (minutes after midnight) on Days.
type Window struct {
	Start int            `json:"start_minute"` // 09:00 is 540
	End   int            `json:"end_minute"`   // 20:00 is 1200
	Days  []time.Weekday `json:"days"`         // 0 is Sunday
}

// DefaultWindow is 09:00–20:00, Monday to Saturday.
func DefaultWindow() Window {
	return Window{Start: 9 * 60, End: 20 * 60, Days: []time.Weekday{1, 2, 3, 4, 5, 6}}
}

func (w Window) validate() error {
	if w.Start < 0 || w.End > 24*60 || w.End <= w.Start {
		return invalid("calling window must start before it ends, within the day")
	}
	if len(w.Days) == 0 {
		return invalid("calling window needs at least one day")
	}
	for _, d := range w.Days {
		if d < time.Sunday || d > time.Saturday {
			return invalid("calling window day %d is not 0 (Sunday) to 6", d)
		}
	}
	return nil
}

// Holidays reports whether a local date (YYYY-MM-DD) is a holiday in region.
type Holidays func(region, date string) bool

// Open reports whether t, read in loc, is inside the window and not a
// holiday.
func (w Window) Open(t time.Time, loc *time.Location, region string, hol Holidays) bool {
	l := t.In(loc)
	if !slices.Contains(w.Days, l.Weekday()) || (hol != nil && hol(region, l.Format(time.DateOnly))) {
		return false
	}
	m := l.Hour()*60 + l.Minute()
	return m >= w.Start && m < w.End
}

// Next returns the first moment at or after t when the window is open in
// loc, looking up to 60 days ahead. Beyond that it returns t plus 60 days,
// where the question is asked again.
func (w Window) Next(t time.Time, loc *time.Location, region string, hol Holidays) time.Time {
	if w.Open(t, loc, region, hol) {
		return t
	}
	l := t.In(loc)
	for d := 0; d <= 60; d++ {
		open := time.Date(l.Year(), l.Month(), l.Day()+d, w.Start/60, w.Start%60, 0, 0, loc)
		if open.Before(t) {
			continue // today's window has passed (or today is closed)
		}
		if w.Open(open, loc, region, hol) {
			return open
		}
	}
	return t.Add(60 * 24 * time.Hour)
}

// Zone loads a customer's IANA time zone; an unknown one is an error, so a
// customer whose zone is wrong is skipped, never called at 3 a.m.
func Zone(name string) (*time.Location, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("campaigns: time zone %q: %w", name, err)
	}
	return loc, nil
}
