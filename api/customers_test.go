package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard/agents"
	"switchboard/api"
	"switchboard/customers"
	"switchboard/internal/testenv"
)

// customerAPI is a running API over a database with one customer and an
// agent and a supervisor, logged in.
type customerAPI struct {
	client
	customer int64
	pool     *pgxpool.Pool
}

func newCustomerAPI(t *testing.T) customerAPI {
	t.Helper()
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	if err := customers.Prepare(ctx, pool); err != nil {
		t.Fatal(err)
	}
	users := addUsers(t, pool, map[string]string{"ann": "agent", "sam": "supervisor", "bo": "agent", "mia": "marketing"})
	var c customerAPI
	err := pool.QueryRow(ctx, `INSERT INTO customers (name, name_zh, phone, national_id, value_tier, birth_date, region)
		VALUES ('Li Na', '李娜', '+8613800138000', '110101199003071234', 'vip', '1990-03-07', 'Beijing') RETURNING id`).Scan(&c.customer)
	if err != nil {
		t.Fatal(err)
	}
	_, err = pool.Exec(ctx, `INSERT INTO accounts (customer_id, number, product, balance) VALUES ($1, '6222020200112233445', 'deposit', 1000)`, c.customer)
	if err != nil {
		t.Fatal(err)
	}
	// Ann is talking to the customer; Bo has nothing to do with them.
	_, err = pool.Exec(ctx, `INSERT INTO interactions (channel, state, customer_id, agent_id, queue, tier)
		VALUES ('voice', 'connected', $1, $2, 'general', 'vip')`, c.customer, users["ann"])
	if err != nil {
		t.Fatal(err)
	}
	srv := &api.Server{Log: slog.New(slog.DiscardHandler), Agents: agents.NewStore(pool, time.Hour, time.Now),
		Customers: customers.NewService(pool, customers.Config{})}
	c.client = serve(t, srv, "ann", "sam", "bo", "mia")
	c.pool = pool
	return c
}

func (c customerAPI) get(t *testing.T, user, path string) (int, map[string]any) {
	t.Helper()
	status, b := c.raw(t, user, "GET", path, "")
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatalf("GET %s: %d: not JSON: %s", path, status, b)
	}
	return status, body
}

func TestCustomerRoutes(t *testing.T) {
	c := newCustomerAPI(t)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	cases := map[string]struct {
		user, path string
		status     int
		code       string // the error code, for errors
	}{
		"view":                   {"ann", "/api/v1/customers/" + id(c.customer) + "/view?reason=inbound%20call", 200, ""},
		"lookup national form":   {"ann", "/api/v1/customers/lookup?phone=" + url.QueryEscape("138 0013 8000"), 200, ""},
		"lookup 0086 form":       {"ann", "/api/v1/customers/lookup?phone=" + url.QueryEscape("0086-138-0013-8000"), 200, ""},
		"unknown id":             {"ann", "/api/v1/customers/" + id(c.customer+99) + "/view", 404, "not_found"},
		"unknown phone":          {"ann", "/api/v1/customers/lookup?phone=%2B8613900139000", 404, "not_found"},
		"malformed phone":        {"ann", "/api/v1/customers/lookup?phone=138-CALL-NOW", 400, "invalid"},
		"phone missing":          {"ann", "/api/v1/customers/lookup", 400, "invalid"},
		"id not a number":        {"ann", "/api/v1/customers/abc/view", 400, "invalid"},
		"reason on two lines":    {"ann", "/api/v1/customers/" + id(c.customer) + "/view?reason=a%0Ab", 400, "invalid"},
		"no session":             {"", "/api/v1/customers/" + id(c.customer) + "/view", 401, "unauthorized"},
		"search by name":         {"ann", "/api/v1/customers/search?q=li", 200, ""},
		"search query too short": {"ann", "/api/v1/customers/search?q=l", 400, "invalid"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			status, body := c.get(t, tc.user, tc.path)
			if status != tc.status {
				t.Fatalf("GET %s: %d %v, want %d", tc.path, status, body, tc.status)
			}
			if tc.code != "" {
				e, _ := body["error"].(map[string]any)
				if e["code"] != tc.code || e["message"] == "" {
					t.Errorf("error body %v, want code %s and a message", body, tc.code)
				}
			}
		})
	}
}

func TestCustomerViewMaskedByRole(t *testing.T) {
	c := newCustomerAPI(t)
	for user, wantID := range map[string]string{"ann": "**************1234", "sam": "110101199003071234"} {
		status, body := c.get(t, user, "/api/v1/customers/"+strconv.FormatInt(c.customer, 10)+"/view")
		if status != 200 {
			t.Fatalf("%s: %d %v", user, status, body)
		}
		cust := body["customer"].(map[string]any)
		acct := body["accounts"].([]any)[0].(map[string]any)
		if cust["national_id"] != wantID || cust["name_zh"] != "李娜" || body["masked"] != (user == "ann") {
			t.Errorf("%s sees national_id %v, masked %v", user, cust["national_id"], body["masked"])
		}
		if user == "ann" && acct["number"] != "***************3445" {
			t.Errorf("agent sees account number %v", acct["number"])
		}
		// The ID's middle is the birth date: a masked view must not give it
		// back beside the region.
		if _, shown := cust["birth_date"]; shown == (user == "ann") || cust["birth_year"] != 1990.0 {
			t.Errorf("%s sees birth date %v, birth year %v", user, cust["birth_date"], cust["birth_year"])
		}
	}
}

// TestCustomerReadsNeedAReason: an agent reads only the customers of their
// own interactions, or one their own search (audited with its query and
// results) found; marketing reads none; searches are throttled; and a
// supervisor's reads are not restricted.
func TestCustomerReadsNeedAReason(t *testing.T) {
	c := newCustomerAPI(t)
	view := "/api/v1/customers/" + strconv.FormatInt(c.customer, 10) + "/view"
	if status, body := c.get(t, "bo", view); status != 403 {
		t.Fatalf("an agent with no interaction, task or search of the customer read the view: %d %v", status, body)
	}
	if status, _ := c.get(t, "mia", view); status != 403 {
		t.Fatalf("marketing read a customer view: %d", status)
	}
	if status, _ := c.get(t, "mia", "/api/v1/customers/search?q=li"); status != 403 {
		t.Fatalf("marketing searched customers: %d", status)
	}
	if status, body := c.get(t, "bo", "/api/v1/customers/search?q=li"); status != 200 || len(body["customers"].([]any)) != 1 {
		t.Fatalf("search: %d %v", status, body)
	}
	if status, body := c.get(t, "bo", view); status != 200 {
		t.Fatalf("the agent could not read the customer their search found: %d %v", status, body)
	}
	if status, _ := c.get(t, "sam", view); status != 200 {
		t.Fatalf("a supervisor was refused: %d", status)
	}
	var code int
	for range 25 {
		if code, _ = c.get(t, "bo", "/api/v1/customers/search?q=zz"); code != 200 {
			break
		}
	}
	if code != 429 {
		t.Fatalf("25 searches in a row all answered, the last %d; want 429 within %d", code, 20)
	}
}

// TestUnusualReadVolumeAlerts: more customer reads in an hour than anyone's
// work needs raise one audited alert, however many more follow.
func TestUnusualReadVolumeAlerts(t *testing.T) {
	c := newCustomerAPI(t)
	view := "/api/v1/customers/" + strconv.FormatInt(c.customer, 10) + "/view"
	for range 305 {
		if status, body := c.get(t, "sam", view); status != 200 {
			t.Fatalf("read: %d %v", status, body)
		}
	}
	var alerts int
	if err := c.pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE action = 'customer.volume_alert'`).Scan(&alerts); err != nil || alerts != 1 {
		t.Fatalf("%d volume alerts (%v), want exactly 1", alerts, err)
	}
}
