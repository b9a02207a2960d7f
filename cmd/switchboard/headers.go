package main

import (
	"net/http"

	"switchboard/internal/clientip"
)

// securityHeaders sets the headers every answer carries: no Referer leaves
// the bank's origin (desk URLs name interactions and customers; same-origin
// rather than no-referrer, because no-referrer would make browsers send
// "Origin: null" on the desk's own POSTs), no content-type sniffing, and,
// for a client that came over TLS (directly or through a trusted proxy),
// HSTS, so that a later visit is never downgraded to plain HTTP.
func securityHeaders(proxies clientip.Resolver, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Content-Type-Options", "nosniff")
		if proxies.HTTPS(r) {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
