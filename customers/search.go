package customers

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/phone"
)

// MaxSearchResults bounds a search.
const MaxSearchResults = 20

// Search finds customers for linking an unidentified contact: q is a phone
// number in any common format, or the start of a name (pinyin or English,
// case-insensitive) or Chinese name. Results come highest tier first, at
// most MaxSearchResults. The search is recorded in the audit log. It returns
// ErrInvalid for a query shorter than two characters or longer than 100, or
// a phone number that is not valid; no match is an empty result.
func (s *Service) Search(ctx context.Context, viewer *switchboard.Agent, q string) ([]Summary, error) {
	if viewer == nil {
		return nil, switchboard.Errorf(switchboard.ErrUnauthorized, "who is searching is unknown")
	}
	q = strings.TrimSpace(q)
	if n := utf8.RuneCountInString(q); n < 2 || n > 100 || strings.ContainsFunc(q, unicode.IsControl) {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "search text must be 2 to 100 characters on one line")
	}
	where, arg, via := `lower(c.name) LIKE $1 || '%' OR c.name_zh LIKE $1 || '%'`, likeEscape(strings.ToLower(q)), "name"
	if looksLikePhone(q) {
		e164, err := phone.Normalize(q, s.region)
		if err != nil {
			return nil, fmt.Errorf("customers: search: %w", err)
		}
		where, arg, via = `c.phone = $1 OR c.phone_alt = $1`, e164, "phone"
	}
	if err := s.maySearch(ctx, viewer); err != nil {
		return nil, fmt.Errorf("customers: search: %w", err)
	}
	rows, err := s.pool.Query(ctx, `WITH hits AS (
			SELECT c.id, c.name, c.name_zh, coalesce(c.phone, '') AS phone, c.value_tier, c.activity_layer, c.region
			FROM customers c WHERE `+where+`
			ORDER BY array_position(ARRAY['private', 'vip', 'standard', 'mass'], c.value_tier), c.name, c.id
			LIMIT `+fmt.Sprint(MaxSearchResults)+`
		), audit AS (
			INSERT INTO audit_log (at, agent_id, action, reason, detail)
			VALUES ($2, $3, 'customer.search', 'link', jsonb_build_object('via', $4::text, 'q', $5::text,
				'hits', (SELECT count(*) FROM hits), 'ids', (SELECT coalesce(jsonb_agg(id), '[]') FROM hits)))
		)
		SELECT * FROM hits`, arg, s.now().UTC(), viewer.ID, via, q)
	if err != nil {
		return nil, fmt.Errorf("customers: search: %w", err)
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Summary, error) {
		var c Summary
		return c, r.Scan(&c.ID, &c.Name, &c.NameZh, &c.Phone, &c.ValueTier, &c.ActivityLayer, &c.Region)
	})
	if err != nil {
		return nil, fmt.Errorf("customers: search: %w", err)
	}
	return found, nil
}

// looksLikePhone: digits, with at most phone punctuation around them.
func looksLikePhone(q string) bool {
	return strings.IndexFunc(q, unicode.IsDigit) >= 0 &&
		strings.Trim(q, "+0123456789 -().") == ""
}

// likeEscape quotes LIKE's wildcards so a name is matched literally.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
