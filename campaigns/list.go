package campaigns

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/phone"
)

// SetList makes an uploaded CSV the audience of draft campaign id: a
// header line naming a customer_id or a phone column, then one customer a
// line. Every line must name a known customer; a bad line returns
// ErrInvalid naming it and changes nothing. It returns how many customers
// the list holds.
func (s *Store) SetList(ctx context.Context, id int64, r io.Reader) (int, error) {
	ids, phones, err := parseList(r)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		c, err := lockCampaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.State != Draft {
			return switchboard.Errorf(switchboard.ErrConflict, "campaign %d is %s; only a draft's audience can change", id, c.State)
		}
		found, err := resolve(ctx, tx, ids, phones)
		if err != nil {
			return err
		}
		c.Audience.CustomerIDs, n = found, len(found)
		_, err = tx.Exec(ctx, `UPDATE campaigns SET audience = $2, updated_at = $3 WHERE id = $1`, id, c.Audience, now)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("campaigns: list for %d: %w", id, err)
	}
	return n, nil
}

func parseList(r io.Reader) (ids []int64, phones []string, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, nil, invalid("the list needs a header line naming customer_id or phone")
	}
	col, byPhone := -1, false
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "customer_id":
			col = i
		case "phone":
			if col < 0 {
				col, byPhone = i, true
			}
		}
	}
	if col < 0 {
		return nil, nil, invalid("the list's header names neither customer_id nor phone")
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || col >= len(rec) {
			return nil, nil, invalid("list line %d is not valid CSV", line)
		}
		v := strings.TrimSpace(rec[col])
		if byPhone {
			p, err := phone.Normalize(v, "CN")
			if err != nil {
				return nil, nil, invalid("list line %d: %q is not a phone number", line, v)
			}
			phones = append(phones, p)
			continue
		}
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, nil, invalid("list line %d: %q is not a customer id", line, v)
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	slices.Sort(phones)
	ids, phones = slices.Compact(ids), slices.Compact(phones)
	if len(ids)+len(phones) == 0 || len(ids)+len(phones) > 1_000_000 {
		return nil, nil, invalid("a list holds 1 to 1,000,000 customers")
	}
	return ids, phones, nil
}

// resolve returns the customers the list names, refusing a list with an
// unknown one.
func resolve(ctx context.Context, tx pgx.Tx, ids []int64, phones []string) ([]int64, error) {
	rows, err := tx.Query(ctx, `SELECT DISTINCT id FROM customers WHERE id = ANY($1) OR phone = ANY($2) ORDER BY id`,
		nonNil(ids), append([]string{}, phones...))
	if err != nil {
		return nil, err
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	if want := len(ids) + len(phones); len(found) < want {
		return nil, invalid("%d of the list's %d customers are unknown", want-len(found), want)
	}
	return found, nil
}
