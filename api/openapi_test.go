package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"math"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"switchboard"
	"switchboard/agents"
	"switchboard/api"
	"switchboard/campaigns"
	"switchboard/customers"
	"switchboard/internal/testenv"
)

// specFile is the published description of the API, which these tests hold
// to the handlers: the routes, the roles and the shape of every answer.
const specFile = "../docs/openapi.json"

// spec is docs/openapi.json decoded as plain JSON, the way a client
// generator reads it.
type spec map[string]any

func loadSpec(t *testing.T) spec {
	t.Helper()
	b, err := os.ReadFile(specFile)
	if err != nil {
		t.Fatal(err)
	}
	var s spec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s is not JSON: %v", specFile, err)
	}
	return s
}

var specMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// operations returns every operation by "METHOD path".
func (s spec) operations() map[string]map[string]any {
	ops := map[string]map[string]any{}
	paths, _ := s["paths"].(map[string]any)
	for path, item := range paths {
		item, _ := item.(map[string]any)
		for _, m := range specMethods {
			if op, ok := item[m].(map[string]any); ok {
				ops[strings.ToUpper(m)+" "+path] = op
			}
		}
	}
	return ops
}

func (s spec) op(t *testing.T, method, path string) map[string]any {
	t.Helper()
	op := s.operations()[method+" "+path]
	if op == nil {
		t.Fatalf("%s does not document %s %s", specFile, method, path)
	}
	return op
}

// resolve follows a local reference such as "#/components/schemas/Task".
func (s spec) resolve(ref string) (map[string]any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var node any = map[string]any(s)
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil, false
		}
		if node, ok = m[part]; !ok {
			return nil, false
		}
	}
	m, ok := node.(map[string]any)
	return m, ok
}

// deref returns node, or what its $ref names.
func (s spec) deref(node map[string]any) map[string]any {
	if ref, ok := node["$ref"].(string); ok {
		if m, ok := s.resolve(ref); ok {
			return m
		}
	}
	return node
}

// examples returns the request examples of an operation for a media type,
// each as the body to send.
func (s spec) examples(t *testing.T, method, path, mediaType string) map[string]string {
	t.Helper()
	rb, _ := s.op(t, method, path)["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	media, _ := content[mediaType].(map[string]any)
	exs, _ := media["examples"].(map[string]any)
	out := map[string]string{}
	for name, ex := range exs {
		v := s.deref(ex.(map[string]any))["value"]
		if str, ok := v.(string); ok {
			out[name] = str
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(b)
	}
	if len(out) == 0 {
		t.Fatalf("%s %s documents no %s request example", method, path, mediaType)
	}
	return out
}

// TestOpenAPIDocument: the description is OpenAPI 3.1, every operation is
// named, summarised, answers something and names its roles, every
// reference resolves, and every JSON request example fits its schema.
func TestOpenAPIDocument(t *testing.T) {
	s := loadSpec(t)
	if v, _ := s["openapi"].(string); !strings.HasPrefix(v, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	ids := map[string]string{}
	for key, op := range s.operations() {
		id, _ := op["operationId"].(string)
		if id == "" {
			t.Errorf("%s has no operationId", key)
		} else if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share operationId %q", key, other, id)
		}
		ids[id] = key
		if sum, _ := op["summary"].(string); sum == "" {
			t.Errorf("%s has no summary", key)
		}
		if res, _ := op["responses"].(map[string]any); len(res) == 0 {
			t.Errorf("%s documents no responses", key)
		}
		checkRoles(t, key, op)
		checkRequestExamples(t, s, key, op)
	}
	checkRefs(t, s, map[string]any(s), "#")
}

// checkRoles: x-roles lists known roles, and the description says them to
// a reader, for every operation that needs a session.
func checkRoles(t *testing.T, key string, op map[string]any) {
	t.Helper()
	roles, ok := op["x-roles"].([]any)
	if !ok {
		t.Errorf("%s has no x-roles", key)
		return
	}
	for _, r := range roles {
		if _, err := switchboard.ParseRole(r.(string)); err != nil {
			t.Errorf("%s: x-roles: %v", key, err)
		}
	}
	if desc, _ := op["description"].(string); len(roles) > 0 && !strings.HasPrefix(desc, "Roles: ") {
		t.Errorf("%s: the description does not start by naming the roles", key)
	}
}

func checkRequestExamples(t *testing.T, s spec, key string, op map[string]any) {
	t.Helper()
	rb, _ := op["requestBody"].(map[string]any)
	content, _ := rb["content"].(map[string]any)
	media, _ := content["application/json"].(map[string]any)
	if media == nil {
		return
	}
	schema, _ := media["schema"].(map[string]any)
	exs, _ := media["examples"].(map[string]any)
	for name, ex := range exs {
		for _, e := range s.validate(schema, s.deref(ex.(map[string]any))["value"], "example "+name) {
			t.Errorf("%s: %s", key, e)
		}
	}
}

// checkRefs fails for every $ref under node that names nothing.
func checkRefs(t *testing.T, s spec, node any, at string) {
	t.Helper()
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"].(string); ok {
			if _, ok := s.resolve(ref); !ok {
				t.Errorf("%s: $ref %q names nothing", at, ref)
			}
		}
		for k, v := range n {
			checkRefs(t, s, v, at+"/"+k)
		}
	case []any:
		for i, v := range n {
			checkRefs(t, s, v, at+"/"+strconv.Itoa(i))
		}
	}
}

var (
	routePattern = regexp.MustCompile(`mux\.Handle\("([A-Z]+) (/api/v1/[^"]*)"`)
	pathParam    = regexp.MustCompile(`\{[^}]*\}`)
)

// TestOpenAPIRoutes: the routes the handlers register and the operations
// the description documents are the same set.
func TestOpenAPIRoutes(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range routePattern.FindAllStringSubmatch(string(b), -1) {
			registered[m[1]+" "+pathParam.ReplaceAllString(m[2], "{}")] = true
		}
	}
	if len(registered) < 20 {
		t.Fatalf("found only %d routes in the api sources: has the registration changed form?", len(registered))
	}
	documented := map[string]bool{}
	for key := range loadSpec(t).operations() {
		documented[pathParam.ReplaceAllString(key, "{}")] = true
	}
	for _, r := range sortedKeys(registered) {
		if !documented[r] {
			t.Errorf("%s is served but not in %s", r, specFile)
		}
	}
	for _, d := range sortedKeys(documented) {
		if !registered[d] {
			t.Errorf("%s is in %s but not served", d, specFile)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// validate returns what is wrong with v against schema: its type, enum,
// format and pattern, the required and documented properties of an object
// (recursively; additionalProperties false refuses others), the items of an
// array, and anyOf. It is the part of JSON Schema the description uses.
func (s spec) validate(schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		target, ok := s.resolve(ref)
		if !ok {
			return []string{at + ": unresolved $ref " + ref}
		}
		return s.validate(target, v, at)
	}
	if alts, ok := schema["anyOf"].([]any); ok {
		var errs []string
		for _, sub := range alts {
			e := s.validate(sub.(map[string]any), v, at)
			if len(e) == 0 {
				return nil
			}
			errs = append(errs, e...)
		}
		return append([]string{at + ": matches none of anyOf"}, errs...)
	}
	if !typeMatches(schema["type"], v) {
		return []string{at + ": " + jsonType(v) + ", want " + strings.Trim(strings.ReplaceAll(toString(schema["type"]), " ", ", "), "[]")}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		return []string{at + ": " + toString(v) + " is not one of " + toString(enum)}
	}
	switch v := v.(type) {
	case string:
		return s.validateString(schema, v, at)
	case map[string]any:
		return s.validateObject(schema, v, at)
	case []any:
		items, _ := schema["items"].(map[string]any)
		var errs []string
		for i, item := range v {
			if items != nil {
				errs = append(errs, s.validate(items, item, at+"["+strconv.Itoa(i)+"]")...)
			}
		}
		return errs
	}
	return nil
}

func (s spec) validateString(schema map[string]any, v, at string) []string {
	layouts := map[string]string{"date-time": time.RFC3339, "date": time.DateOnly}
	if layout, ok := layouts[toString(schema["format"])]; ok {
		if _, err := time.Parse(layout, v); err != nil {
			return []string{at + ": " + strconv.Quote(v) + " is not a " + toString(schema["format"])}
		}
	}
	if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(v) {
		return []string{at + ": " + strconv.Quote(v) + " does not match " + p}
	}
	return nil
}

func (s spec) validateObject(schema map[string]any, v map[string]any, at string) []string {
	var errs []string
	required, _ := schema["required"].([]any)
	for _, r := range required {
		if _, ok := v[r.(string)]; !ok {
			errs = append(errs, at+": "+r.(string)+" is missing")
		}
	}
	props, _ := schema["properties"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if p, ok := props[k].(map[string]any); ok {
			errs = append(errs, s.validate(p, v[k], at+"."+k)...)
			continue
		}
		switch extra := schema["additionalProperties"].(type) {
		case bool:
			if !extra {
				errs = append(errs, at+"."+k+" is not documented")
			}
		case map[string]any:
			errs = append(errs, s.validate(extra, v[k], at+"."+k)...)
		}
	}
	return errs
}

// typeMatches reports whether v is of the schema's type, a name or a list
// of names; no type matches anything.
func typeMatches(typ any, v any) bool {
	switch typ := typ.(type) {
	case nil:
		return true
	case string:
		got := jsonType(v)
		return got == typ || (typ == "number" && got == "integer")
	case []any:
		return slices.ContainsFunc(typ, func(t any) bool { return typeMatches(t, v) })
	}
	return false
}

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if v == math.Trunc(v) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// specAPI is a running API with a user of every role, a customer with an
// account, an interaction and a note, and the description to check its
// answers against.
type specAPI struct {
	t    *testing.T
	spec spec
	url  string
	// tokens are the session tokens by role.
	tokens map[switchboard.Role]string
}

func newSpecAPI(t *testing.T) specAPI {
	t.Helper()
	ctx := context.Background()
	pool := testenv.MustOpenDB(t)
	if err := customers.Prepare(ctx, pool); err != nil {
		t.Fatal(err)
	}
	users := addUsers(t, pool, map[string]string{"ann": "agent", "zhou": "rm", "sam": "supervisor", "mia": "marketing", "root": "admin"})
	// The login example's demo supervisor, with its documented password.
	hash, err := agents.HashPassword("switchboard-supervisor")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO agents (username, name, password_hash, role) VALUES ('sup.general', 'General Supervisor', $1, 'supervisor')`, hash)
	// The first customer is id 1, which the request examples name.
	exec(`INSERT INTO customers (name, name_zh, phone, national_id, value_tier, rm_id, birth_date, region, products)
		VALUES ('Li Na', '李娜', '+8613800138000', '110101199003071234', 'vip', $1, '1958-03-02', 'CN', '{deposit}')`, users["zhou"])
	exec(`INSERT INTO accounts (customer_id, number, product, balance) VALUES (1, '6222020200112233445', 'deposit', 1000)`)
	exec(`INSERT INTO interactions (channel, state, customer_id, agent_id, queue, created_at, answered_at, ended_at)
		VALUES ('voice', 'done', 1, $1, 'general', now() - interval '2 hours', now() - interval '2 hours', now() - interval '2 hours')`, users["ann"])
	exec(`INSERT INTO notes (customer_id, interaction_id, agent_id, body) VALUES (1, 1, $1, 'asked about wealth products')`, users["ann"])
	srv := &api.Server{Log: slog.New(slog.DiscardHandler), Agents: agents.NewStore(pool, time.Hour, time.Now),
		Customers: customers.NewService(pool, customers.Config{}), Campaigns: campaigns.NewStore(pool, time.Now)}
	c := serve(t, srv, "ann", "zhou", "sam", "mia", "root")
	a := specAPI{t: t, spec: loadSpec(t), url: c.url, tokens: map[switchboard.Role]string{}}
	for user, role := range map[string]switchboard.Role{"ann": switchboard.RoleAgent, "zhou": switchboard.RoleRM,
		"sam": switchboard.RoleSupervisor, "mia": switchboard.RoleMarketing, "root": switchboard.RoleAdmin} {
		a.tokens[role] = c.tokens[user]
	}
	return a
}

// call sends a request to the documented operation method docPath at path,
// as role ("" for none), and fails unless the answer's status is want (any
// documented one when want is 0) and is documented for the operation, and
// its body is of the documented type and fits the documented schema. It
// returns the status and the decoded JSON body.
func (a specAPI) call(role switchboard.Role, method, docPath, path, contentType, body string, want int) (int, any) {
	a.t.Helper()
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+a.tokens[role])
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	what := method + " " + path + " as " + string(role)
	if want != 0 && res.StatusCode != want {
		a.t.Errorf("%s = %d %s, want %d", what, res.StatusCode, b, want)
	}
	return res.StatusCode, a.checkAnswer(what, a.spec.op(a.t, method, docPath), res, b)
}

// checkAnswer holds one answer to what the operation documents for its
// status, and returns its JSON body (nil for another type).
func (a specAPI) checkAnswer(what string, op map[string]any, res *http.Response, body []byte) any {
	a.t.Helper()
	responses, _ := op["responses"].(map[string]any)
	doc, ok := responses[strconv.Itoa(res.StatusCode)].(map[string]any)
	if !ok {
		a.t.Errorf("%s answered %d, which is not documented: %s", what, res.StatusCode, body)
		return nil
	}
	content, _ := a.spec.deref(doc)["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			a.t.Errorf("%s answered %d with a body the description does not have: %s", what, res.StatusCode, body)
		}
		return nil
	}
	mt, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	media, ok := content[mt].(map[string]any)
	if !ok {
		a.t.Errorf("%s answered %d as %q, documented as %v", what, res.StatusCode, mt, slices.Sorted(maps.Keys(content)))
		return nil
	}
	if mt != "application/json" {
		if len(body) == 0 {
			a.t.Errorf("%s answered %d with an empty %s body", what, res.StatusCode, mt)
		}
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		a.t.Errorf("%s answered %d with invalid JSON: %v: %s", what, res.StatusCode, err, body)
		return nil
	}
	schema, _ := media["schema"].(map[string]any)
	for _, e := range a.spec.validate(schema, v, "body") {
		a.t.Errorf("%s answered %d: %s", what, res.StatusCode, e)
	}
	return v
}

// jsonCall is call with a JSON body (or none).
func (a specAPI) jsonCall(role switchboard.Role, method, docPath, path, body string, want int) map[string]any {
	a.t.Helper()
	_, v := a.call(role, method, docPath, path, "application/json", body, want)
	m, _ := v.(map[string]any)
	return m
}

// TestOpenAPIResponses calls the documented routes of a real server, with
// the documented request examples where there are some, and holds every
// answer to the schema documented for its status.
func TestOpenAPIResponses(t *testing.T) {
	a := newSpecAPI(t)
	const agent, sup = switchboard.RoleAgent, switchboard.RoleSupervisor
	for _, ex := range a.spec.examples(t, "POST", "/api/v1/login", "application/json") {
		a.jsonCall("", "POST", "/api/v1/login", "/api/v1/login", ex, http.StatusOK)
	}
	a.jsonCall("", "POST", "/api/v1/login", "/api/v1/login", `{"username":"sam","password":"wrong"}`, http.StatusUnauthorized)
	a.jsonCall(agent, "GET", "/api/v1/me", "/api/v1/me", "", http.StatusOK)

	a.customerRoutes(t)
	a.eventAndTaskRoutes(t)
	a.campaignRoutes(t)
	a.holidayRoutes(t)

	for _, ex := range a.spec.examples(t, "POST", "/api/v1/dnc", "application/json") {
		a.jsonCall(agent, "POST", "/api/v1/dnc", "/api/v1/dnc", ex, http.StatusCreated)
	}
	a.jsonCall(agent, "POST", "/api/v1/dnc", "/api/v1/dnc", `{"phone":"not a number"}`, http.StatusBadRequest)
	a.jsonCall(sup, "POST", "/api/v1/campaign-contacts/{id}/disposition", "/api/v1/campaign-contacts/999999/disposition",
		`{"code":"interested"}`, http.StatusNotFound)

	a.jsonCall(sup, "POST", "/api/v1/logout", "/api/v1/logout", "", http.StatusNoContent)
	a.jsonCall(sup, "GET", "/api/v1/me", "/api/v1/me", "", http.StatusUnauthorized)
}

func (a specAPI) customerRoutes(t *testing.T) {
	const view = "/api/v1/customers/{id}/view"
	body := a.jsonCall(switchboard.RoleAgent, "GET", view, "/api/v1/customers/1/view?reason=callback", "", http.StatusOK)
	if notes, _ := body["notes"].([]any); len(notes) != 1 {
		t.Errorf("the view has notes %v, want the fixture's one", body["notes"])
	}
	a.jsonCall(switchboard.RoleAgent, "GET", view, "/api/v1/customers/x/view", "", http.StatusBadRequest)
	a.jsonCall(switchboard.RoleAgent, "GET", view, "/api/v1/customers/999999/view", "", http.StatusNotFound)
	const lookup = "/api/v1/customers/lookup"
	a.jsonCall(switchboard.RoleRM, "GET", lookup, lookup+"?phone="+url.QueryEscape("138 0013 8000"), "", http.StatusOK)
	a.jsonCall(switchboard.RoleRM, "GET", lookup, lookup+"?phone=13000000000", "", http.StatusNotFound)
	a.jsonCall(switchboard.RoleRM, "GET", lookup, lookup, "", http.StatusBadRequest)
	const search = "/api/v1/customers/search"
	if body := a.jsonCall(switchboard.RoleSupervisor, "GET", search, search+"?q=Li", "", http.StatusOK); len(body["customers"].([]any)) != 1 {
		t.Errorf("search for Li = %v, want the fixture's customer", body)
	}
	a.jsonCall(switchboard.RoleSupervisor, "GET", search, search+"?q=L", "", http.StatusBadRequest)
}

// eventAndTaskRoutes posts the documented event (a large withdrawal of a
// VIP, which the outreach rules turn into a task for her RM), resends it,
// and completes the task with the documented outcome.
func (a specAPI) eventAndTaskRoutes(t *testing.T) {
	const events = "/api/v1/events"
	for _, ex := range a.spec.examples(t, "POST", events, "application/json") {
		a.jsonCall(switchboard.RoleAdmin, "POST", events, events, ex, http.StatusCreated)
		if body := a.jsonCall(switchboard.RoleAdmin, "POST", events, events, ex, http.StatusOK); body["duplicate"] != true {
			t.Errorf("resent event: %v, want duplicate", body)
		}
	}
	a.jsonCall(switchboard.RoleRM, "POST", events, events, `{}`, http.StatusForbidden)
	a.jsonCall(switchboard.RoleAdmin, "POST", events, events, `{"customer_id":1,"kind":"lottery"}`, http.StatusBadRequest)
	a.call(switchboard.RoleAdmin, "POST", events, events, "text/plain", `{}`, http.StatusUnsupportedMediaType)

	tasks, _ := a.jsonCall(switchboard.RoleRM, "GET", "/api/v1/tasks", "/api/v1/tasks", "", http.StatusOK)["tasks"].([]any)
	if len(tasks) == 0 {
		t.Fatal("the documented event made no task for the customer's RM")
	}
	id := strconv.FormatInt(int64(tasks[0].(map[string]any)["id"].(float64)), 10)
	a.jsonCall(switchboard.RoleRM, "POST", "/api/v1/tasks/{id}/dial", "/api/v1/tasks/"+id+"/dial", "", http.StatusServiceUnavailable)
	const complete = "/api/v1/tasks/{id}/complete"
	for _, ex := range a.spec.examples(t, "POST", complete, "application/json") {
		body := a.jsonCall(switchboard.RoleRM, "POST", complete, "/api/v1/tasks/"+id+"/complete", ex, http.StatusOK)
		if body["lead"] == nil {
			t.Errorf("the documented outcome's lead was not stored: %v", body)
		}
	}
	a.jsonCall(switchboard.RoleRM, "POST", complete, "/api/v1/tasks/"+id+"/complete", `{"code":"sale"}`, http.StatusConflict)
}

// campaignRoutes creates the documented campaigns, gives the preview one
// the documented lists, schedules it and reads it back every way.
func (a specAPI) campaignRoutes(t *testing.T) {
	const list, mkt = "/api/v1/campaigns", switchboard.RoleMarketing
	exs := a.spec.examples(t, "POST", list, "application/json")
	var id string
	for _, name := range slices.Sorted(maps.Keys(exs)) {
		body := a.jsonCall(mkt, "POST", list, list, exs[name], http.StatusCreated)
		if n, ok := body["id"].(float64); ok && body["channel"] == "voice" {
			id = strconv.FormatInt(int64(n), 10)
		}
	}
	if id == "" {
		t.Fatal("no documented voice campaign was created")
	}
	a.call(mkt, "POST", list, list, "text/plain", exs["preview"], http.StatusUnsupportedMediaType)
	a.jsonCall(switchboard.RoleRM, "POST", list, list, exs["preview"], http.StatusForbidden)
	for _, csv := range a.spec.examples(t, "PUT", "/api/v1/campaigns/{id}/list", "text/csv") {
		a.call(mkt, "PUT", "/api/v1/campaigns/{id}/list", list+"/"+id+"/list", "text/csv", csv, http.StatusOK)
	}
	const state = "/api/v1/campaigns/{id}/state"
	for _, ex := range a.spec.examples(t, "POST", state, "application/json") {
		a.jsonCall(mkt, "POST", state, list+"/"+id+"/state", ex, http.StatusOK)
	}
	a.jsonCall(mkt, "POST", state, list+"/"+id+"/state", `{"state":"completed"}`, http.StatusConflict)
	a.call(mkt, "PUT", "/api/v1/campaigns/{id}/list", list+"/"+id+"/list", "text/csv", "customer_id\n1\n", http.StatusConflict)

	a.jsonCall(switchboard.RoleSupervisor, "GET", list, list, "", http.StatusOK)
	a.jsonCall(switchboard.RoleSupervisor, "GET", list, list+"?state=scheduled", "", http.StatusOK)
	a.jsonCall(switchboard.RoleSupervisor, "GET", "/api/v1/campaigns/{id}", list+"/"+id, "", http.StatusOK)
	a.jsonCall(switchboard.RoleSupervisor, "GET", "/api/v1/campaigns/{id}", list+"/999999", "", http.StatusNotFound)
	a.jsonCall(switchboard.RoleSupervisor, "GET", "/api/v1/campaigns/{id}/results", list+"/"+id+"/results", "", http.StatusOK)
	a.call(mkt, "GET", "/api/v1/campaigns/{id}/export.csv", list+"/"+id+"/export.csv", "", "", http.StatusOK)
}

func (a specAPI) holidayRoutes(t *testing.T) {
	const path, mkt = "/api/v1/campaigns/holidays", switchboard.RoleMarketing
	for _, ex := range a.spec.examples(t, "PUT", path, "application/json") {
		a.jsonCall(mkt, "PUT", path, path, ex, http.StatusOK)
	}
	if body := a.jsonCall(mkt, "GET", path, path+"?region="+url.QueryEscape("Hong Kong"), "", http.StatusOK); len(body["holidays"].([]any)) != 2 {
		t.Errorf("Hong Kong's holidays = %v, want the documented two", body)
	}
	a.jsonCall(mkt, "GET", path, path+"?region=%0A", "", http.StatusBadRequest)
	a.jsonCall(mkt, "DELETE", path, path+"?day=2027-10-01", "", http.StatusNoContent)
	a.jsonCall(mkt, "DELETE", path, path+"?day=2027-10-01", "", http.StatusNotFound)
}

// TestOpenAPIRoles: every role that x-roles leaves out of an operation is
// refused with 403, and every role it names gets past the role check.
func TestOpenAPIRoles(t *testing.T) {
	a := newSpecAPI(t)
	for key, op := range a.spec.operations() {
		method, path, _ := strings.Cut(key, " ")
		roles, _ := op["x-roles"].([]any)
		// Login takes no session; logout would end the sessions the
		// other operations need (it is open to every role).
		if len(roles) == 0 || key == "POST /api/v1/logout" {
			continue
		}
		target := pathParam.ReplaceAllString(path, "1")
		if key == "POST /api/v1/agents/{id}/deactivate" {
			// Deactivating a real member of staff would end sessions the
			// other operations need: ask about one who does not exist.
			target = pathParam.ReplaceAllString(path, "999999")
		}
		for _, role := range switchboard.Roles {
			code, _ := a.call(role, method, path, target, "application/json", "", 0)
			allowed := slices.Contains(roles, any(string(role)))
			if allowed && (code == http.StatusForbidden || code == http.StatusUnauthorized) {
				t.Errorf("%s as %s = %d, but x-roles allows %s", key, role, code, role)
			}
			if !allowed && code != http.StatusForbidden {
				t.Errorf("%s as %s = %d, want 403: x-roles leaves %s out", key, role, code, role)
			}
		}
	}
}
