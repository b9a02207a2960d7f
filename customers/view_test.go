package customers_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/customers"
)

// fixture is one customer with a full history, and a member of staff of
// every role.
type fixture struct {
	customer int64
	staff    map[string]*switchboard.Agent // by username
}

func addAgent(tb testing.TB, pool *pgxpool.Pool, username string, role switchboard.Role) *switchboard.Agent {
	tb.Helper()
	a := &switchboard.Agent{Username: username, Name: strings.ToUpper(username), Role: role}
	must(tb, pool.QueryRow(context.Background(), `INSERT INTO agents (username, name, password_hash, role)
		VALUES ($1, $2, 'x', $3) RETURNING id`, a.Username, a.Name, string(role)).Scan(&a.ID))
	return a
}

func newFixture(tb testing.TB, pool *pgxpool.Pool) fixture {
	tb.Helper()
	ctx := context.Background()
	f := fixture{staff: map[string]*switchboard.Agent{}}
	for _, a := range []struct {
		user string
		role switchboard.Role
	}{{"agent", switchboard.RoleAgent}, {"rm-own", switchboard.RoleRM}, {"rm-other", switchboard.RoleRM},
		{"supervisor", switchboard.RoleSupervisor}, {"marketing", switchboard.RoleMarketing}, {"admin", switchboard.RoleAdmin}} {
		f.staff[a.user] = addAgent(tb, pool, a.user, a.role)
	}
	rm, agent := f.staff["rm-own"].ID, f.staff["agent"].ID
	must(tb, pool.QueryRow(ctx, `INSERT INTO customers (name, name_zh, phone, phone_alt, national_id, rm_id, aum, profit_12m,
			value_tier, activity_layer, products, opt_out_sms, risk_flag, birth_date)
		VALUES ('Wang Fang', '王芳', '+8613800138000', '+85291234567', '110101199003071234', $1, 7200000.50, 41000,
			'private', 'core', '{deposit,wealth}', true, 'watch', '1990-03-07') RETURNING id`, rm).Scan(&f.customer))
	c := f.customer
	exec(tb, pool, `INSERT INTO accounts (customer_id, number, product, balance, status) VALUES
		($1, '6222020200112233445', 'deposit', 200000.50, 'open'),
		($1, '6222020200112233446', 'wealth', 7000000, 'open'),
		($1, '6222020200112230000', 'deposit', 5, 'closed'),
		($1, '6222020200199999999', 'deposit', 100, 'frozen')`, c)
	// 25 interactions, one a minute, the newest last; an unrelated one.
	exec(tb, pool, `INSERT INTO interactions (channel, state, customer_id, queue, agent_id, disposition, end_reason, created_at, ended_at)
		SELECT (ARRAY['voice','sms','chat'])[1 + g % 3], 'done', $1, 'wealth', $2, 'resolved', 'customer_hangup',
			$3::timestamptz + g * interval '1 minute', $3::timestamptz + g * interval '1 minute' + interval '30 s'
		FROM generate_series(1, 25) g`, c, agent, testNow.Add(-time.Hour))
	exec(tb, pool, `INSERT INTO interactions (channel, state, created_at) VALUES ('voice', 'abandoned', $1)`, testNow)
	exec(tb, pool, `INSERT INTO complaints (customer_id, category, status, summary, owner_id) VALUES
		($1, 'fees', 'open', 'Annual fee charged twice', $2), ($1, 'service', 'closed', 'Old case', NULL)`, c, agent)
	exec(tb, pool, `INSERT INTO notes (customer_id, agent_id, body, created_at)
		SELECT $1, $2, 'note ' || g, $3::timestamptz + g * interval '1 minute' FROM generate_series(1, 12) g`, c, agent, testNow.Add(-time.Hour))
	exec(tb, pool, `INSERT INTO customer_events (customer_id, kind, amount, occurred_at, received_at) VALUES
		($1, 'large_withdrawal', 250000, $2, $2), ($1, 'birthday', NULL, $3, $3)`, c, testNow.Add(-time.Hour), testNow.Add(-200*24*time.Hour))
	exec(tb, pool, `INSERT INTO consent_changes (customer_id, phone, kind, opted_out, source, at)
		VALUES ($1, '+8613800138000', 'sms', true, 'sms_stop', $2)`, c, testNow.Add(-48*time.Hour))
	return f
}

func exec(tb testing.TB, pool *pgxpool.Pool, sql string, args ...any) {
	tb.Helper()
	if _, err := pool.Exec(context.Background(), sql, args...); err != nil {
		tb.Fatal(err)
	}
}

func TestViewContents(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	f := newFixture(t, pool)
	v, err := svc.View(context.Background(), f.staff["supervisor"], f.customer, "")
	if err != nil {
		t.Fatal(err)
	}
	c := v.Customer
	if c.Name != "Wang Fang" || c.NameZh != "王芳" || c.Phone != "+8613800138000" || c.ValueTier != switchboard.TierPrivate ||
		c.ActivityLayer != switchboard.LayerCore || c.AUM != 720000050 || c.Profit12m != 4100000 || c.BirthDate == nil {
		t.Errorf("profile: %+v", c)
	}
	if v.RM == nil || v.RM.ID != f.staff["rm-own"].ID || v.RM.Name != "RM-OWN" {
		t.Errorf("rm: %+v", v.RM)
	}
	h := v.Holdings
	if h.OpenAccounts != 2 || len(h.ByProduct) != 2 || h.ByProduct[0] != (customers.Holding{Product: "deposit", Count: 1, Balance: 20000050}) ||
		h.ByProduct[1] != (customers.Holding{Product: "wealth", Count: 1, Balance: 700000000}) {
		t.Errorf("holdings: %+v", h)
	}
	if len(v.Accounts) != 3 {
		t.Errorf("accounts: %d, want the 3 not closed", len(v.Accounts))
	}
	if len(v.Interactions) != customers.RecentInteractions {
		t.Fatalf("interactions: %d, want %d", len(v.Interactions), customers.RecentInteractions)
	}
	newest := v.Interactions[0]
	if !newest.CreatedAt.Equal(testNow.Add(-time.Hour+25*time.Minute)) || newest.Agent == nil || newest.Agent.Name != "AGENT" ||
		newest.Disposition != "resolved" || newest.EndReason != "customer_hangup" || newest.State != switchboard.StateDone || newest.EndedAt == nil {
		t.Errorf("newest interaction: %+v", newest)
	}
	if len(v.Complaints) != 1 || v.Complaints[0].Summary != "Annual fee charged twice" || v.Complaints[0].Owner == nil {
		t.Errorf("complaints: %+v", v.Complaints)
	}
	if len(v.Notes) != customers.RecentNotes || v.Notes[0].Body != "note 12" {
		t.Errorf("notes: %d, first %+v", len(v.Notes), v.Notes[0])
	}
	if !v.Consent.OptOutSMS || v.Consent.OptOutCall || len(v.Consent.Changes) != 1 || v.Consent.Changes[0].Source != "sms_stop" {
		t.Errorf("consent: %+v", v.Consent)
	}
	if v.Risk.Flag != "watch" {
		t.Errorf("risk: %+v", v.Risk)
	}
	if len(v.Alerts) != 1 || v.Alerts[0].Kind != "large_withdrawal" || v.Alerts[0].Amount == nil || *v.Alerts[0].Amount != 25000000 {
		t.Errorf("alerts: %+v, want the recent large withdrawal only", v.Alerts)
	}
}

func TestLookupByPhone(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	f := newFixture(t, pool)
	ctx := context.Background()
	cases := map[string]struct {
		phone string
		want  error // nil: finds the fixture's customer
	}{
		"e164":                   {"+8613800138000", nil},
		"national with spaces":   {"138 0013 8000", nil},
		"national with dashes":   {"138-0013-8000", nil},
		"0086 prefix":            {"0086 138 0013 8000", nil},
		"86 without plus":        {"8613800138000", nil},
		"alternative phone (HK)": {"+852 9123 4567", nil},
		"unknown number":         {"+8613900139000", switchboard.ErrNotFound},
		"letters":                {"138-CALL-ME", switchboard.ErrInvalid},
		"too short":              {"12", switchboard.ErrInvalid},
		"empty":                  {"", switchboard.ErrInvalid},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			v, err := svc.LookupByPhone(ctx, f.staff["agent"], tc.phone, "inbound call")
			if tc.want != nil {
				if !errors.Is(err, tc.want) || v != nil {
					t.Errorf("%q: %v, want %v", tc.phone, err, tc.want)
				}
				return
			}
			if err != nil || v.Customer.ID != f.customer {
				t.Fatalf("%q: %v", tc.phone, err)
			}
		})
	}
	if _, err := svc.View(ctx, f.staff["agent"], f.customer+1000, ""); !errors.Is(err, switchboard.ErrNotFound) {
		t.Errorf("unknown id: %v, want ErrNotFound", err)
	}
	if _, err := svc.View(ctx, f.staff["agent"], f.customer, "bad\nreason"); !errors.Is(err, switchboard.ErrInvalid) {
		t.Errorf("reason with a newline: %v, want ErrInvalid", err)
	}
	var audits int
	must(t, pool.QueryRow(ctx, `SELECT count(*) FROM audit_log`).Scan(&audits))
	if audits != 6 {
		t.Errorf("audit rows: %d, want one per successful read (6); misses and refusals write none", audits)
	}
}

func TestViewMasking(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	f := newFixture(t, pool)
	const fullID, maskedID = "110101199003071234", "**************1234"
	cases := map[string]bool{ // username → masked
		"agent":      true,
		"marketing":  true,
		"rm-other":   true,
		"rm-own":     false,
		"supervisor": false,
		"admin":      false,
	}
	for user, masked := range cases {
		t.Run(user, func(t *testing.T) {
			v, err := svc.View(context.Background(), f.staff[user], f.customer, "")
			if err != nil {
				t.Fatal(err)
			}
			wantID, wantAcct := fullID, "6222020200112233445"
			if masked {
				wantID, wantAcct = maskedID, "***************3445"
			}
			if v.Masked != masked || v.Customer.NationalID != wantID || v.Accounts[0].Number != wantAcct {
				t.Errorf("masked=%v national_id=%q account=%q; want %v %q %q",
					v.Masked, v.Customer.NationalID, v.Accounts[0].Number, masked, wantID, wantAcct)
			}
		})
	}
}

func TestViewWritesAudit(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	f := newFixture(t, pool)
	ctx := context.Background()
	viewer := f.staff["agent"]
	if _, err := svc.LookupByPhone(ctx, viewer, "13800138000", "inbound call 12"); err != nil {
		t.Fatal(err)
	}
	var agentID, customerID int64
	var action, reason, via string
	var at time.Time
	must(t, pool.QueryRow(ctx, `SELECT agent_id, customer_id, action, reason, detail->>'via', at FROM audit_log`).
		Scan(&agentID, &customerID, &action, &reason, &via, &at))
	if agentID != viewer.ID || customerID != f.customer || action != "customer.view" || reason != "inbound call 12" ||
		via != "phone" || !at.Equal(testNow) {
		t.Errorf("audit row: agent %d customer %d %s %q via %s at %v", agentID, customerID, action, reason, via, at)
	}
	if _, err := svc.View(ctx, viewer, f.customer, ""); err != nil {
		t.Fatal(err)
	}
	must(t, pool.QueryRow(ctx, `SELECT reason FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&reason))
	if reason != "view" {
		t.Errorf("default reason %q, want view", reason)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	svc, pool := newService(t)
	f := newFixture(t, pool)
	exec(t, pool, `INSERT INTO customers (name, name_zh, phone) VALUES ('Wang Lei', '王磊', '+8613700137000'), ('Emily Clarke', '', '+447911123456')`)
	ctx := context.Background()
	cases := map[string]struct {
		q     string
		names []string
		err   error
	}{
		"pinyin prefix, any case": {"wang", []string{"Wang Fang", "Wang Lei"}, nil},
		"chinese prefix":          {"王磊", []string{"Wang Lei"}, nil},
		"phone, national form":    {"137 0013 7000", []string{"Wang Lei"}, nil},
		"uk phone":                {"+44 7911 123456", []string{"Emily Clarke"}, nil},
		"wildcards are literal":   {"%%", nil, nil},
		"no match":                {"Zhou", nil, nil},
		"too short":               {"w", nil, switchboard.ErrInvalid},
		"malformed phone":         {"12 34", nil, switchboard.ErrInvalid},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := svc.Search(ctx, f.staff["agent"], tc.q)
			if !errors.Is(err, tc.err) {
				t.Fatalf("%q: %v, want %v", tc.q, err, tc.err)
			}
			var names []string
			for _, s := range got {
				names = append(names, s.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.names, ",") {
				t.Errorf("%q: %v, want %v", tc.q, names, tc.names)
			}
		})
	}
}
