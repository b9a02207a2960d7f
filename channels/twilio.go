package channels

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"

	"switchboard"
)

var alnum = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// NewTwilioClient returns a twilio-go REST client that sends every request to
// apiURL (https://api.twilio.com, or the simulator) with Basic auth of
// accountSID and authToken. twilio-go hard-codes Twilio's host, so the
// client's transport rewrites it. Credentials must be letters and digits,
// as twilio-go requires.
func NewTwilioClient(apiURL, accountSID, authToken string) (*twilio.RestClient, error) {
	target, err := url.Parse(apiURL)
	if err != nil || target.Host == "" || (target.Scheme != "http" && target.Scheme != "https") {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "Twilio API URL %q is not an http(s) URL", apiURL)
	}
	if !alnum.MatchString(accountSID) || !alnum.MatchString(authToken) {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "Twilio account SID and auth token must be letters and digits")
	}
	base := &client.Client{
		Credentials: client.NewCredentials(accountSID, authToken),
		HTTPClient:  &http.Client{Transport: rewriteHost{target: target}, Timeout: 10 * time.Second},
	}
	base.SetAccountSid(accountSID)
	return twilio.NewRestClientWithParams(twilio.ClientParams{Client: base}), nil
}

type rewriteHost struct{ target *url.URL }

func (t rewriteHost) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.target.Scheme, t.target.Host, t.target.Host
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil {
		return nil, fmt.Errorf("twilio api: %w", err)
	}
	return resp, nil
}
