package twiliosim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// listMessages answers GET Messages.json as Twilio does: every message
// either way, newest first, filtered by To, From and DateSent (a day, or
// DateSent< and DateSent> bounds), in pages.
func (s *Sim) listMessages(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	day, before, after, err := dateFilter(q, "DateSent")
	if err != nil {
		twilioError(w, http.StatusBadRequest, 20001, err.Error())
		return
	}
	s.mu.Lock()
	var items []map[string]any
	for _, m := range slices.Backward(s.carried) {
		if (q.Get("To") == "" || m.To == q.Get("To")) && (q.Get("From") == "" || m.From == q.Get("From")) &&
			within(m.Created, day, before, after) {
			items = append(items, m.json(s))
		}
	}
	s.mu.Unlock()
	s.writePage(w, r, "messages", items)
}

// listCalls answers GET Calls.json: calls newest first, filtered by To, From
// and Status, in pages.
func (s *Sim) listCalls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	calls := make([]*Call, 0, len(s.calls))
	for _, c := range s.calls {
		calls = append(calls, c)
	}
	s.mu.Unlock()
	// Newest first; the SID breaks ties so pages never overlap.
	slices.SortFunc(calls, func(a, b *Call) int {
		if c := b.start.Compare(a.start); c != 0 {
			return c
		}
		return strings.Compare(a.SID, b.SID)
	})
	var items []map[string]any
	for _, c := range calls {
		j := c.json()
		if (q.Get("To") == "" || c.To == q.Get("To")) && (q.Get("From") == "" || c.From == q.Get("From")) &&
			(q.Get("Status") == "" || j["status"] == q.Get("Status")) {
			items = append(items, j)
		}
	}
	s.writePage(w, r, "calls", items)
}

// writePage writes one page of a list under key, with Twilio's paging
// fields. PageSize is 50 unless given (at most 1,000); the next page's URI
// carries Page+1 and a PageToken naming the last SID of this page, so a
// list that grows meanwhile neither repeats nor skips an item.
func (s *Sim) writePage(w http.ResponseWriter, r *http.Request, key string, items []map[string]any) {
	q := r.URL.Query()
	size := 50
	if v := q.Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			twilioError(w, http.StatusBadRequest, 20001, "PageSize must be between 1 and 1000")
			return
		}
		size = n
	}
	page, _ := strconv.Atoi(q.Get("Page"))
	start := 0
	if tok := strings.TrimPrefix(q.Get("PageToken"), "PA"); tok != "" {
		i := slices.IndexFunc(items, func(it map[string]any) bool { return it["sid"] == tok })
		if i < 0 {
			twilioError(w, http.StatusBadRequest, 20001, "Invalid PageToken")
			return
		}
		start = i + 1
	}
	end := min(start+size, len(items))
	list := items[start:end]
	if list == nil {
		list = []map[string]any{}
	}
	base := strings.TrimSuffix(r.URL.Path, "/")
	filters := url.Values{}
	for k, v := range q {
		if k != "Page" && k != "PageSize" && k != "PageToken" {
			filters[k] = v
		}
	}
	uri := func(page int, token string) string {
		v := url.Values{}
		for k, vs := range filters {
			v[k] = vs
		}
		v.Set("PageSize", strconv.Itoa(size))
		v.Set("Page", strconv.Itoa(page))
		if token != "" {
			v.Set("PageToken", token)
		}
		return base + "?" + v.Encode()
	}
	var next any
	if end < len(items) {
		next = uri(page+1, "PA"+list[len(list)-1]["sid"].(string))
	}
	var prev any
	if page > 0 {
		prev = uri(page-1, "")
	}
	writeJSON(w, http.StatusOK, map[string]any{key: list, "page": page, "page_size": size, "start": page * size,
		"end": page*size + max(len(list)-1, 0), "uri": r.URL.RequestURI(), "first_page_uri": uri(0, ""),
		"next_page_uri": next, "previous_page_uri": prev})
}

// dateFilter reads Twilio's date filter name (a day, YYYY-MM-DD) and its
// name< and name> bounds (dates or RFC 3339 times).
func dateFilter(q url.Values, name string) (day, before, after time.Time, err error) {
	parse := func(v string) (time.Time, error) {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		return time.Parse(time.DateOnly, v)
	}
	for _, f := range []struct {
		key string
		to  *time.Time
	}{{name, &day}, {name + "<", &before}, {name + ">", &after}} {
		if v := q.Get(f.key); v != "" {
			if *f.to, err = parse(v); err != nil {
				return day, before, after, fmt.Errorf("%s %q is not a date (YYYY-MM-DD) or RFC 3339 time", f.key, v)
			}
		}
	}
	return day, before, after, nil
}

func within(t, day, before, after time.Time) bool {
	t = t.UTC()
	if !day.IsZero() && (t.Before(day) || !t.Before(day.Add(24*time.Hour))) {
		return false
	}
	return (before.IsZero() || t.Before(before)) && (after.IsZero() || t.After(after))
}

// listRequests answers GET / with every REST request the simulator has
// received, oldest first, as JSON: what a developer reads to see what the
// bank asked of Twilio. ?since= (RFC 3339) keeps only the later ones.
func (s *Sim) listRequests(w http.ResponseWriter, r *http.Request) {
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			twilioError(w, http.StatusBadRequest, 20001, "since must be an RFC 3339 time")
			return
		}
		since = t
	}
	type entry struct {
		Method string     `json:"method"`
		Path   string     `json:"path"`
		Query  url.Values `json:"query,omitempty"`
		Form   url.Values `json:"form,omitempty"`
		At     time.Time  `json:"at"`
	}
	list := []entry{}
	for _, q := range s.Requests() {
		if q.At.After(since) {
			list = append(list, entry{q.Method, q.Path, q.Query, q.Form, q.At})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"requests": list, "count": len(list)})
}
