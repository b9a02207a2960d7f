package twilio

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Retry is how a throttled request is tried again. Twilio answers 429 Too
// Many Requests (error 20429) when an account sends too many requests at
// once, and documents such a request as never processed and safe to retry
// after backing off; 503 Service Unavailable (20503) asks the same ("try
// again a few times with exponential back-off"). Only those two are
// retried, whatever the method: a POST that failed any other way may have
// been carried out (a text sent, a call placed) and is never sent twice.
//
// A wait is the response's Retry-After when it has one, else Base doubled
// for each retry before it, at most Max, jittered to between half and all
// of that so that throttled senders do not come back in step. No retry is
// made whose wait would end past the request's deadline (the client's
// timeout, or the caller's context): the throttled answer is returned
// instead, as Twilio's error.
type Retry struct {
	Attempts int           // tries in all, the first one included
	Base     time.Duration // the wait before the first retry
	Max      time.Duration // the longest wait
}

// DefaultRetry tries a request four times, waiting about 0.5, 1 and 2 s
// between: a throttled campaign text is sent a moment later rather than
// failed, within the 10 s a call may take.
var DefaultRetry = Retry{Attempts: 4, Base: 500 * time.Millisecond, Max: 4 * time.Second}

type retrying struct {
	policy Retry
	next   http.RoundTripper
}

func (t retrying) RoundTrip(r *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := t.next.RoundTrip(r)
		if err != nil || !retriable(resp.StatusCode) || attempt >= t.policy.Attempts {
			return resp, err
		}
		wait := t.policy.wait(attempt, resp.Header.Get("Retry-After"), time.Now())
		again, ok := rewind(r)
		if !ok || !fits(r.Context(), wait) {
			return resp, nil
		}
		discard(resp)
		noteRetry(r.Context(), attempt, resp.StatusCode, wait)
		if err := sleep(r.Context(), wait); err != nil {
			return nil, err
		}
		r = again
	}
}

func retriable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// wait is how long to wait before retry number attempt (from 1).
func (p Retry) wait(attempt int, retryAfter string, now time.Time) time.Duration {
	if d, ok := parseRetryAfter(retryAfter, now); ok {
		return d
	}
	d := min(p.Max, p.Base<<(attempt-1))
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d/2+1)
}

// parseRetryAfter reads Retry-After: whole seconds, or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// rewind is r ready to be sent again, with its body from the start.
func rewind(r *http.Request) (*http.Request, bool) {
	again := r.Clone(r.Context())
	if r.Body == nil || r.Body == http.NoBody {
		return again, true
	}
	if r.GetBody == nil {
		return nil, false
	}
	body, err := r.GetBody()
	if err != nil {
		return nil, false
	}
	again.Body = body
	return again, true
}

// fits reports whether a wait of d ends before ctx's deadline.
func fits(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Now().Add(d).Before(deadline)
}

// discard reads and closes a response that is not returned, so its
// connection can carry the retry.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// noteRetry records a retry on the call's span.
func noteRetry(ctx context.Context, attempt, status int, wait time.Duration) {
	span := trace.SpanFromContext(ctx)
	span.AddEvent("retry", trace.WithAttributes(attribute.Int("http.response.status_code", status),
		attribute.Int64("twilio.retry.wait_ms", wait.Milliseconds())))
	span.SetAttributes(attribute.Int("http.request.resend_count", attempt))
}
