package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard/agents"
	"switchboard/api"
)

// password is every test user's.
const password = "correct-horse"

// addUsers stores staff with the test password, by username → role, and
// returns their ids.
func addUsers(t *testing.T, pool *pgxpool.Pool, roles map[string]string) map[string]int64 {
	t.Helper()
	hash, err := agents.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for user, role := range roles {
		var id int64
		err := pool.QueryRow(context.Background(), `INSERT INTO agents (username, name, password_hash, role)
			VALUES ($1, $1, $2, $3) RETURNING id`, user, hash, role).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		ids[user] = id
	}
	return ids
}

// client is a running API server and its users' session tokens.
type client struct {
	url    string
	tokens map[string]string // by username
}

// serve starts srv and logs each user in.
func serve(t *testing.T, srv *api.Server, users ...string) client {
	t.Helper()
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	c := client{url: ts.URL, tokens: map[string]string{}}
	for _, u := range users {
		res, err := http.Post(ts.URL+"/api/v1/login", "application/json",
			strings.NewReader(`{"username":"`+u+`","password":"`+password+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Token string }
		json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if body.Token == "" {
			t.Fatalf("login %s: %s", u, res.Status)
		}
		c.tokens[u] = body.Token
	}
	return c
}

// raw sends a request as user ("" for none) and returns the status and body.
func (c client) raw(t *testing.T, user, method, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+c.tokens[user])
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// do is raw with the body decoded as a JSON object (nil when it is not one).
func (c client) do(t *testing.T, user, method, path, body string) (int, map[string]any) {
	t.Helper()
	code, b := c.raw(t, user, method, path, body)
	var out map[string]any
	json.Unmarshal(b, &out)
	return code, out
}
