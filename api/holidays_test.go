package api_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"switchboard/agents"
	"switchboard/api"
	"switchboard/campaigns"
	"switchboard/internal/testenv"
)

// TestHolidaysAPI: marketing adds, lists and removes the days campaigns
// call nobody, per region; bad dates and regions get a 400 that says why
// and store nothing; other roles are refused.
func TestHolidaysAPI(t *testing.T) {
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	addUsers(t, pool, map[string]string{"mia": "marketing", "root": "admin", "zhou": "rm", "sun": "supervisor"})
	srv := &api.Server{Log: slog.New(slog.DiscardHandler), Agents: agents.NewStore(pool, time.Hour, time.Now),
		Campaigns: campaigns.NewStore(pool, time.Now)}
	c := serve(t, srv, "mia", "root", "zhou", "sun")

	// The steps run in order: each sees what the ones before stored.
	steps := []struct {
		name, user, method, path, body string
		status                         int
		days                           []string // for a list: the days answered, "region/day"
		message                        string   // for an error: part of its message
	}{
		{name: "national day for every region", user: "mia", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"","day":"2026-10-01","name":"国庆节 National Day"}`, status: 200},
		{name: "spring festival in CN", user: "root", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"CN","day":"2027-02-06","name":"春节"}`, status: 200},
		{name: "renamed, not doubled", user: "mia", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"CN","day":"2027-02-06","name":"春节 Spring Festival"}`, status: 200},
		{name: "a day in Hong Kong", user: "mia", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"Hong Kong","day":"2026-07-01"}`, status: 200},
		{name: "list for CN has its own and every region's", user: "mia", method: "GET", path: "/api/v1/campaigns/holidays?region=CN",
			status: 200, days: []string{"/2026-10-01", "CN/2027-02-06"}},
		{name: "list of all", user: "root", method: "GET", path: "/api/v1/campaigns/holidays",
			status: 200, days: []string{"Hong Kong/2026-07-01", "/2026-10-01", "CN/2027-02-06"}},
		{name: "impossible date", user: "mia", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"CN","day":"2026-02-30"}`, status: 400, message: "not a date"},
		{name: "date in another format", user: "mia", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"CN","day":"01/10/2026"}`, status: 400, message: "YYYY-MM-DD"},
		{name: "region with markup", user: "mia", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"<CN>","day":"2026-10-02"}`, status: 400, message: "region"},
		{name: "region with spaces around", user: "mia", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":" CN","day":"2026-10-02"}`, status: 400, message: "region"},
		{name: "unknown field", user: "mia", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"CN","date":"2026-10-02"}`, status: 400, message: "unknown field"},
		{name: "bad region in a list", user: "mia", method: "GET", path: "/api/v1/campaigns/holidays?region=%3Bdrop", status: 400, message: "region"},
		{name: "an RM may not add", user: "zhou", method: "PUT", path: "/api/v1/campaigns/holidays",
			body: `{"region":"CN","day":"2026-10-02"}`, status: 403},
		{name: "a supervisor may not remove", user: "sun", method: "DELETE", path: "/api/v1/campaigns/holidays?region=CN&day=2027-02-06", status: 403},
		{name: "remove", user: "mia", method: "DELETE", path: "/api/v1/campaigns/holidays?region=CN&day=2027-02-06", status: 204},
		{name: "remove again", user: "mia", method: "DELETE", path: "/api/v1/campaigns/holidays?region=CN&day=2027-02-06", status: 404},
		{name: "remove with a bad day", user: "mia", method: "DELETE", path: "/api/v1/campaigns/holidays?region=CN&day=tomorrow", status: 400, message: "not a date"},
		{name: "remove the every-region holiday", user: "mia", method: "DELETE", path: "/api/v1/campaigns/holidays?day=2026-10-01", status: 204},
		{name: "what is left", user: "mia", method: "GET", path: "/api/v1/campaigns/holidays", status: 200, days: []string{"Hong Kong/2026-07-01"}},
	}
	for _, st := range steps {
		status, raw := c.raw(t, st.user, st.method, st.path, st.body)
		if status != st.status {
			t.Errorf("%s: %d %s, want %d", st.name, status, raw, st.status)
			continue
		}
		if st.message != "" {
			var e api.ErrorBody
			if json.Unmarshal(raw, &e); !strings.Contains(e.Error.Message, st.message) {
				t.Errorf("%s: error %q does not say %q", st.name, e.Error.Message, st.message)
			}
		}
		if st.days != nil {
			var body struct{ Holidays []campaigns.Holiday }
			json.Unmarshal(raw, &body)
			var got []string
			for _, h := range body.Holidays {
				got = append(got, h.Region+"/"+h.Day)
			}
			if strings.Join(got, ",") != strings.Join(st.days, ",") {
				t.Errorf("%s: %v, want %v", st.name, got, st.days)
			}
		}
	}
	var n int
	pool.QueryRow(ctx, `SELECT count(*) FROM holidays`).Scan(&n)
	if n != 1 {
		t.Errorf("%d holidays stored, want 1: nothing the 400s refused was stored", n)
	}
}
