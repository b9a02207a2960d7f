package twiliosim

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Sign returns the X-Twilio-Signature of a form POST to fullURL: HMAC-SHA1,
// keyed with the auth token, of the URL followed by each parameter's name
// and value, sorted by name; base64.
func Sign(authToken, fullURL string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		for _, v := range form[k] {
			b.WriteString(k)
			b.WriteString(v)
			break // twilio-go validates the first value of a key
		}
	}
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// post sends a signed webhook and returns the status and body of the answer.
func (s *Sim) post(ctx context.Context, target string, form url.Values) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, fmt.Errorf("twiliosim: webhook %s: %w", target, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(s.cfg.AuthToken, target, form))
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	resp, err := s.hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("twiliosim: webhook %s: %w", target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("twiliosim: webhook %s: %w", target, err)
	}
	if resp.StatusCode >= 400 {
		s.log.Warn("twiliosim: webhook refused", "url", target, "status", resp.StatusCode, "body", strings.TrimSpace(string(body)))
		return resp.StatusCode, body, fmt.Errorf("twiliosim: webhook %s: HTTP %d", target, resp.StatusCode)
	}
	return resp.StatusCode, body, nil
}

// resolve makes a TwiML URL absolute against the document it came from.
func resolve(base, ref string) string {
	b, err := url.Parse(base)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return b.ResolveReference(r).String()
}
