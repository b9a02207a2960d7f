package twilio

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"switchboard/channels/twiliosim"
)

const (
	simSID    = "AC0000000000000000000000000000c1"
	simToken  = "clienttoken0123"
	simNumber = "+8610955880"
	customer  = "+8613912345678"
	body      = "Quokka-7731 your card ends 4242"
)

// fast retries quickly, so the tests wait milliseconds.
var fast = Retry{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond}

// rig is a client of a fresh simulator; hits counts the requests the
// simulator was sent, throttled or not, and first (if set) may answer the
// n-th itself.
type rig struct {
	sim  *twiliosim.Sim
	hits atomic.Int32
	tw   *Client
}

func newRig(t *testing.T, retry Retry, first func(w http.ResponseWriter, n int32) bool) *rig {
	t.Helper()
	r := &rig{sim: twiliosim.New(twiliosim.Config{AccountSID: simSID, AuthToken: simToken, Number: simNumber, Speed: 1000})}
	h := r.sim.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n := r.hits.Add(1)
		if first != nil && first(w, n) {
			return
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	var err error
	if r.tw, err = newClient(srv.URL, simSID, simToken, retry); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *rig) text(ctx context.Context) (*api.ApiV2010Message, error) {
	p := &api.CreateMessageParams{}
	p.SetTo(customer).SetFrom(simNumber).SetBody(body)
	return r.tw.API(ctx).CreateMessage(p)
}

func (r *rig) sent() int {
	n := 0
	for _, req := range r.sim.Requests() {
		if req.Method == "POST" && strings.HasSuffix(req.Path, "/Messages.json") {
			n++
		}
	}
	return n
}

// TestThrottledTextIsSentOnRetry: Twilio throttles a text twice; the client
// backs off and sends it on the third try, once.
func TestThrottledTextIsSentOnRetry(t *testing.T) {
	r := newRig(t, fast, nil)
	r.sim.Throttle(2, 0)
	m, err := r.text(context.Background())
	if err != nil || m.Sid == nil {
		t.Fatalf("text after two 429s: %v", err)
	}
	if r.hits.Load() != 3 || r.sent() != 1 {
		t.Fatalf("%d requests, %d texts carried; want 3 and 1", r.hits.Load(), r.sent())
	}
}

// TestThrottledPastTheAttemptsIsTwiliosError: a request still throttled
// after every attempt fails with Twilio's own 20429.
func TestThrottledPastTheAttemptsIsTwiliosError(t *testing.T) {
	r := newRig(t, fast, nil)
	r.sim.Throttle(100, 0)
	_, err := r.text(context.Background())
	var re *client.TwilioRestError
	if !errors.As(err, &re) || re.Status != 429 || re.Code != 20429 {
		t.Fatalf("error %v, want Twilio's 429 / 20429", err)
	}
	if r.hits.Load() != int32(fast.Attempts) || r.sent() != 0 {
		t.Fatalf("%d requests, %d texts; want %d and none", r.hits.Load(), r.sent(), fast.Attempts)
	}
}

// TestServiceUnavailableIsRetried: 503, which Twilio documents as not
// processed, is retried like 429.
func TestServiceUnavailableIsRetried(t *testing.T) {
	r := newRig(t, fast, func(w http.ResponseWriter, n int32) bool {
		if n > 1 {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(503)
		w.Write([]byte(`{"code":20503,"message":"Service unavailable","status":503}`))
		return true
	})
	if _, err := r.text(context.Background()); err != nil || r.hits.Load() != 2 || r.sent() != 1 {
		t.Fatalf("after one 503: %v, %d requests, %d texts; want sent on the second", err, r.hits.Load(), r.sent())
	}
}

// TestOtherFailuresAreNotRetried: a POST that failed any other way may have
// been carried out, and is never sent again.
func TestOtherFailuresAreNotRetried(t *testing.T) {
	for _, status := range []int{500, 502, 400} {
		r := newRig(t, fast, func(w http.ResponseWriter, n int32) bool {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write([]byte(`{"code":20500,"message":"Internal Server Error","status":500}`))
			return true
		})
		if _, err := r.text(context.Background()); err == nil || r.hits.Load() != 1 {
			t.Errorf("%d: %v after %d requests, want a failure after one", status, err, r.hits.Load())
		}
	}
}

// TestRetryAfterIsHonoured: a Retry-After is waited for, not the backoff.
func TestRetryAfterIsHonoured(t *testing.T) {
	r := newRig(t, fast, nil)
	r.sim.Throttle(1, time.Second)
	start := time.Now()
	if _, err := r.text(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %v, want the 1 s Retry-After", waited)
	}
}

// TestNoRetryPastTheDeadline: a wait that would end after the caller's
// deadline (or the client's timeout) is not begun: Twilio's 429 is the
// answer at once.
func TestNoRetryPastTheDeadline(t *testing.T) {
	r := newRig(t, fast, nil)
	r.sim.Throttle(1, 30*time.Second)
	start := time.Now()
	_, err := r.text(context.Background())
	var re *client.TwilioRestError
	if !errors.As(err, &re) || re.Code != 20429 || time.Since(start) > 2*time.Second || r.hits.Load() != 1 {
		t.Fatalf("%v after %v and %d requests, want the 429 at once", err, time.Since(start), r.hits.Load())
	}

	r = newRig(t, Retry{Attempts: 4, Base: time.Second, Max: time.Second}, nil)
	r.sim.Throttle(1, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := r.text(ctx); !errors.As(err, &re) || r.hits.Load() != 1 {
		t.Fatalf("%v after %d requests, want the 429: the backoff passes the caller's deadline", err, r.hits.Load())
	}
}

// TestRetryEndsWithTheCaller: the caller giving up ends the wait.
func TestRetryEndsWithTheCaller(t *testing.T) {
	r := newRig(t, Retry{Attempts: 4, Base: 5 * time.Second, Max: 5 * time.Second}, nil)
	r.sim.Throttle(1, 0)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := r.text(ctx); !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Fatalf("%v after %v, want context.Canceled at once", err, time.Since(start))
	}
	if r.sent() != 0 {
		t.Fatal("the text was sent after its caller gave up")
	}
}

// TestSpanOfACall: each call is one client span under the caller's, named
// by its route, with its status and retries, and nothing of the customer
// or the account in it; Twilio is sent no trace context.
func TestSpanOfACall(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	t.Cleanup(func() { otel.SetTracerProvider(prev); tp.Shutdown(context.Background()) })
	var traceparent atomic.Bool
	r := newRig(t, fast, nil)
	r.sim.Throttle(1, 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		traceparent.Store(traceparent.Load() || req.Header.Get("Traceparent") != "")
		w.WriteHeader(404)
	}))
	defer srv.Close()

	ctx, parent := tp.Tracer("test").Start(context.Background(), "dialer step")
	if _, err := r.text(ctx); err != nil {
		t.Fatal(err)
	}
	parent.End()
	var span *tracetest.SpanStub
	for i, s := range exp.GetSpans() {
		if s.Name != "dialer step" {
			span = &exp.GetSpans()[i]
		}
	}
	if span == nil || span.Name != "POST /2010-04-01/Accounts/{sid}/Messages.json" || span.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Fatalf("spans %+v, want one POST /2010-04-01/Accounts/{sid}/Messages.json under the caller's", exp.GetSpans())
	}
	attrs := map[string]string{}
	for _, a := range span.Attributes {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	if attrs["http.response.status_code"] != "201" || attrs["http.request.resend_count"] != "1" || len(span.Events) != 1 {
		t.Errorf("attributes %v, events %v; want 201 after one retry", attrs, span.Events)
	}
	all := span.Name
	for k, v := range attrs {
		all += " " + k + "=" + v
	}
	for _, e := range span.Events {
		all += " " + e.Name
		for _, a := range e.Attributes {
			all += " " + a.Value.Emit()
		}
	}
	for _, secret := range []string{"13912345678", "Quokka", simSID, simToken} {
		if strings.Contains(all, secret) {
			t.Errorf("the span carries %q: %s", secret, all)
		}
	}

	tw, err := newClient(srv.URL, simSID, simToken, fast)
	if err != nil {
		t.Fatal(err)
	}
	tw.API(ctx).FetchCall("CA00000000000000000000000000000001", nil)
	if traceparent.Load() {
		t.Error("Twilio was sent our trace context")
	}
}

func TestTemplate(t *testing.T) {
	for path, want := range map[string]string{
		"/2010-04-01/Accounts/AC01/Calls.json":                                  "/2010-04-01/Accounts/{sid}/Calls.json",
		"/2010-04-01/Accounts/AC01/Calls/CA02.json":                             "/2010-04-01/Accounts/{sid}/Calls/{sid}.json",
		"/2010-04-01/Accounts/AC01/Conferences/interaction-5/Participants.json": "/2010-04-01/Accounts/{sid}/Conferences/{sid}/Participants.json",
	} {
		if got := template(path); got != want {
			t.Errorf("template(%s) = %s, want %s", path, got, want)
		}
	}
}

func TestIsNotFound(t *testing.T) {
	r := newRig(t, fast, nil)
	_, err := r.tw.API(context.Background()).FetchCall("CA00000000000000000000000000000404", nil)
	if !IsNotFound(err) {
		t.Fatalf("IsNotFound(%v) = false for an unknown call", err)
	}
	r.sim.Throttle(100, 0)
	if _, err := r.text(context.Background()); IsNotFound(err) || IsNotFound(nil) {
		t.Fatalf("IsNotFound(%v) = true", err)
	}
}
