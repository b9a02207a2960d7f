package twilio

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// MaxWebhookBody bounds a Twilio webhook body. The largest real one, an MMS
// with ten media URLs and a 1,600-character body, is under 16 KiB.
const MaxWebhookBody = 64 << 10

// RequireSignature lets a request through to next only if its
// X-Twilio-Signature is the signature, with authToken, of the URL Twilio was
// configured with (publicURL followed by the request's path and query, never
// the request's Host, which a proxy may have rewritten) and the body's form
// parameters. It reads the body (at most MaxWebhookBody bytes) before next
// parses anything and puts it back for next. A missing or wrong signature, or
// a body that is too large or not a form, gets 403 or 400 and next never
// runs, so nothing is stored.
func RequireSignature(authToken, publicURL string, log *slog.Logger, next http.Handler) http.Handler {
	key := []byte(authToken)
	base := strings.TrimRight(publicURL, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sig := r.Header.Get("X-Twilio-Signature")
		if sig == "" {
			refuse(w, log, r, http.StatusForbidden, "missing X-Twilio-Signature")
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				refuse(w, log, r, http.StatusRequestEntityTooLarge, "body too large")
				return
			}
			refuse(w, log, r, http.StatusBadRequest, "unreadable body")
			return
		}
		params, form, ok := signedParams(r, body)
		if !ok {
			refuse(w, log, r, http.StatusBadRequest, "body is not a form")
			return
		}
		if !validSignature(key, base+r.URL.RequestURI(), params, sig) {
			refuse(w, log, r, http.StatusForbidden, "invalid X-Twilio-Signature")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		// The form parsed here is the one next's ParseForm would parse
		// again from the body.
		r.PostForm = form
		next.ServeHTTP(w, r)
	})
}

// validSignature reports whether sig is the Twilio signature of the URL
// and parameters: base64 of the HMAC-SHA1, keyed with the auth token, of
// the URL followed by each parameter's name and value, sorted by name.
// Exactly that URL: twilio-go's validator also accepts the URL with its
// port removed or a default one added, which lets a signature made for
// one listener pass at another.
func validSignature(key []byte, fullURL string, params map[string]string, sig string) bool {
	want, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha1.New, key)
	mac.Write([]byte(fullURL))
	for _, k := range slices.Sorted(maps.Keys(params)) {
		mac.Write([]byte(k))
		mac.Write([]byte(params[k]))
	}
	return hmac.Equal(mac.Sum(nil), want)
}

// signedParams returns the body parameters Twilio signs: for a POST, the
// form body (first value of each key, as twilio-go validates), and the whole
// form; for a GET, none (they are in the signed URL).
func signedParams(r *http.Request, body []byte) (map[string]string, url.Values, bool) {
	params := map[string]string{}
	if r.Method == http.MethodGet {
		return params, nil, len(body) == 0
	}
	ct := r.Header.Get("Content-Type")
	if len(body) > 0 && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return nil, nil, false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, nil, false
	}
	for k, vs := range form {
		params[k] = vs[0]
	}
	return params, form, true
}

// refuse answers a request that failed the check with its status text
// only, so a forger learns nothing of which check failed. It is not the
// webhooks' error writer (Errors): nothing has run yet that could fail
// with a kind, and 413 is no kind.
func refuse(w http.ResponseWriter, log *slog.Logger, r *http.Request, status int, why string) {
	if log != nil {
		log.Warn("twilio webhook refused", "path", r.URL.Path, "status", status, "why", why, "remote", r.RemoteAddr)
	}
	http.Error(w, http.StatusText(status), status)
}
