package customers_test

import (
	"context"
	"errors"
	"testing"

	"switchboard"
	"switchboard/customers"
)

// TestByPhone holds the rule of who owns a number: a main phone wins over an
// alternative one (also over an older customer who has no main phone at
// all), then the oldest customer wins.
func TestByPhone(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	ctx := context.Background()
	add := func(name string, phone, alt any) int64 {
		var id int64
		must(t, pool.QueryRow(ctx, `INSERT INTO customers (name, phone, phone_alt, value_tier, language)
			VALUES ($1, $2, $3, 'vip', 'en') RETURNING id`, name, phone, alt).Scan(&id))
		return id
	}
	altOnly := add("alt only", nil, "+8613800000001")
	mainOld := add("main, older", "+8613800000001", nil)
	add("main, newer", "+8613800000001", nil)
	alone := add("alone", "+8613800000002", "+8613800000009")
	altOld := add("alt, older", "+8613800000003", "+8613800000004")
	add("alt, newer", "+8613800000005", "+8613800000004")
	cases := map[string]struct {
		phone string
		want  int64 // 0: nobody
	}{
		"main wins over an older alternative": {"+8613800000001", mainOld},
		"one main phone":                      {"+8613800000002", alone},
		"one alternative phone":               {"+8613800000009", alone},
		"oldest of two alternatives":          {"+8613800000004", altOld},
		"nobody's":                            {"+8613800000099", 0},
	}
	viewer := &switchboard.Agent{ID: addAgent(t, pool, "sup", switchboard.RoleSupervisor).ID, Role: switchboard.RoleSupervisor}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := customers.ByPhone(ctx, pool, tc.phone)
			id, _ := customers.Identify(ctx, pool, tc.phone)
			v, verr := svc.LookupByPhone(ctx, viewer, tc.phone, "")
			if tc.want == 0 {
				if !errors.Is(err, switchboard.ErrNotFound) || !errors.Is(verr, switchboard.ErrNotFound) {
					t.Errorf("ByPhone: %v, LookupByPhone: %v; want ErrNotFound", err, verr)
				}
				if id != customers.Unidentified() {
					t.Errorf("Identify = %+v, want the unidentified contact", id)
				}
				return
			}
			if err != nil || c.ID != tc.want || id.ID != tc.want {
				t.Errorf("ByPhone = %d, %v; Identify = %d; want %d", c.ID, err, id.ID, tc.want)
			}
			if verr != nil || v.Customer.ID != tc.want {
				t.Errorf("LookupByPhone: %v; want customer %d", verr, tc.want)
			}
		})
	}
	if c, err := customers.ByID(ctx, pool, altOnly); err != nil || c.Name != "alt only" || c.Phone != "" ||
		c.Tier != switchboard.TierVIP || c.Language != "en" {
		t.Errorf("ByID = %+v, %v", c, err)
	}
	if _, err := customers.ByID(ctx, pool, altOnly+100); !errors.Is(err, switchboard.ErrNotFound) {
		t.Errorf("ByID of nobody: %v, want ErrNotFound", err)
	}
}
