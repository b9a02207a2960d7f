package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"switchboard"
)

var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// timeout bounds one call of the API, its retries included.
const timeout = 10 * time.Second

// Client is Twilio's REST API as Switchboard calls it: every request goes
// to the configured API URL (the real Twilio or the simulator), is traced,
// and is tried again when Twilio throttles it (see Retry). It is safe for
// concurrent use.
type Client struct {
	base      client.Client     // credentials and account; copied for each call
	transport http.RoundTripper // host rewrite, tracing, retry
}

// NewClient returns a client that sends every request to apiURL
// (https://api.twilio.com, or the simulator) with Basic auth of accountSID
// and authToken, retrying throttled requests per DefaultRetry. twilio-go
// hard-codes Twilio's host, so the client's transport rewrites it.
// Credentials must be letters and digits, as twilio-go requires; ErrInvalid
// otherwise, or for an apiURL that is not http(s).
func NewClient(apiURL, accountSID, authToken string) (*Client, error) {
	return newClient(apiURL, accountSID, authToken, DefaultRetry)
}

func newClient(apiURL, accountSID, authToken string, retry Retry) (*Client, error) {
	target, err := url.Parse(apiURL)
	if err != nil || target.Host == "" || (target.Scheme != "http" && target.Scheme != "https") {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "Twilio API URL %q is not an http(s) URL", apiURL)
	}
	if !alnum.MatchString(accountSID) || !alnum.MatchString(authToken) {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "Twilio account SID and auth token must be letters and digits")
	}
	c := &Client{base: client.Client{Credentials: client.NewCredentials(accountSID, authToken)},
		transport: rewriteHost{target: target, next: traced{next: retrying{policy: retry, next: http.DefaultTransport}}}}
	c.base.SetAccountSid(accountSID)
	return c, nil
}

// API is the 2010 API (Messages, Calls, Conferences and their
// Participants) for requests made on behalf of ctx: they are traced as its
// children and given up when it ends. twilio-go builds every request on
// context.Background(), so the caller's context is put back underneath it
// (onBehalf). The value is for one use; take a new one for each call.
func (c *Client) API(ctx context.Context) *api.ApiService {
	base := c.base
	base.HTTPClient = &http.Client{Transport: onBehalf{ctx: ctx, next: c.transport}, Timeout: timeout}
	// Not client.NewRequestHandler, which reads TWILIO_EDGE and
	// TWILIO_REGION from the environment: they would only change the host,
	// which rewriteHost replaces.
	return api.NewApiService(&client.RequestHandler{Client: &base})
}

// onBehalf sends a request as part of its caller's work: with the caller's
// context (its trace, and its end) and the deadline of the http.Client's
// timeout, which the request's own context carries.
type onBehalf struct {
	ctx  context.Context
	next http.RoundTripper
}

func (t onBehalf) RoundTrip(r *http.Request) (*http.Response, error) {
	deadline, ok := r.Context().Deadline()
	if !ok {
		deadline = time.Now().Add(timeout)
	}
	ctx, cancel := context.WithDeadline(t.ctx, deadline)
	// The http.Client ends the request's context once the body is read
	// (or the timeout passes): so ends this one.
	context.AfterFunc(r.Context(), cancel)
	return t.next.RoundTrip(r.WithContext(ctx))
}

// IsNotFound reports whether err is Twilio's 404: what the request named
// (a call, a conference, a participant) does not exist, or no longer.
func IsNotFound(err error) bool {
	var re *client.TwilioRestError
	return errors.As(err, &re) && re.Status == http.StatusNotFound
}

type rewriteHost struct {
	target *url.URL
	next   http.RoundTripper
}

func (t rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.target.Scheme, t.target.Host, t.target.Host
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, fmt.Errorf("twilio api: %w", err)
	}
	return resp, nil
}
