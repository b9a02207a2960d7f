package campaigns

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"switchboard"
)

// Holiday is a day on which nobody in Region is called or texted by a
// campaign (the gates read the day in the customer's own time zone).
// Region is matched against customers' region; "" is every region.
type Holiday struct {
	Day    string `json:"day"` // YYYY-MM-DD
	Region string `json:"region"`
	Name   string `json:"name,omitempty"`
}

func (h *Holiday) validate() error {
	h.Name = strings.TrimSpace(h.Name)
	if err := validDay(h.Day); err != nil {
		return err
	}
	if err := ValidRegion(h.Region); err != nil {
		return err
	}
	if utf8.RuneCountInString(h.Name) > 200 {
		return invalid("a holiday's name may be at most 200 characters")
	}
	return nil
}

func validDay(day string) error {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return invalid("day %q is not a date in the form YYYY-MM-DD", clip(day))
	}
	if d.Year() < 2000 || d.Year() > 2100 {
		return invalid("day %s is not between the years 2000 and 2100", day)
	}
	return nil
}

// ValidRegion returns ErrInvalid unless region is "" (every region) or a
// region name as customers carry it ("CN", "Guangdong", "Hong Kong"): up
// to 60 letters, digits, spaces, dots, hyphens and apostrophes, starting
// with a letter or digit.
func ValidRegion(region string) error {
	if region == "" {
		return nil
	}
	bad := utf8.RuneCountInString(region) > 60 || strings.TrimSpace(region) != region
	for i, r := range region {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || (i > 0 && strings.ContainsRune(" .-'", r))
		bad = bad || !ok
	}
	if bad {
		return invalid("region %q must be up to 60 letters, digits, spaces, dots, hyphens or apostrophes, or empty for every region", clip(region))
	}
	return nil
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}

// Holidays lists holidays by day: those that apply in region (its own and
// every region's) when region is set, all of them when it is "".
func (s *Store) Holidays(ctx context.Context, region string) ([]Holiday, error) {
	if err := ValidRegion(region); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, `SELECT to_char(day, 'YYYY-MM-DD'), region, name FROM holidays
		WHERE $1 = '' OR region IN ('', $1) ORDER BY day, region LIMIT 5000`, region)
	if err != nil {
		return nil, fmt.Errorf("campaigns: holidays: %w", err)
	}
	defer rows.Close()
	out := []Holiday{}
	for rows.Next() {
		var h Holiday
		if err := rows.Scan(&h.Day, &h.Region, &h.Name); err != nil {
			return nil, fmt.Errorf("campaigns: holidays: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// PutHoliday adds h, or renames the holiday already on that day in that
// region. Bad input returns ErrInvalid and changes nothing.
func (s *Store) PutHoliday(ctx context.Context, h *Holiday) error {
	if err := h.validate(); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO holidays (day, region, name) VALUES ($1, $2, $3)
		ON CONFLICT (day, region) DO UPDATE SET name = EXCLUDED.name`, h.Day, h.Region, h.Name)
	if err != nil {
		return fmt.Errorf("campaigns: put holiday %s %q: %w", h.Day, h.Region, err)
	}
	return nil
}

// DeleteHoliday removes the holiday on day in region ("" for the
// every-region one). Errors: ErrInvalid for a bad day or region,
// ErrNotFound when there is none.
func (s *Store) DeleteHoliday(ctx context.Context, region, day string) error {
	if err := validDay(day); err != nil {
		return err
	}
	if err := ValidRegion(region); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM holidays WHERE day = $1 AND region = $2`, day, region)
	if err != nil {
		return fmt.Errorf("campaigns: delete holiday %s %q: %w", day, region, err)
	}
	if tag.RowsAffected() == 0 {
		return switchboard.Errorf(switchboard.ErrNotFound, "no holiday on %s in region %q", day, region)
	}
	return nil
}
