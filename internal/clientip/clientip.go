// Package clientip tells who sent an HTTP request: the peer's address, or,
// when the peer is a proxy the bank trusts, the address that proxy saw.
// Throttles, rate limits and audit rows use it, so that a load balancer's
// own address is never mistaken for every customer and agent at once, and
// a client cannot choose its address by sending X-Forwarded-For itself.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"switchboard"
)

// Resolver finds the client of a request. The zero Resolver trusts no
// proxy and answers the peer's address.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a Resolver that trusts the proxies in the listed networks
// ("10.0.0.0/8", "192.0.2.10"). Errors: ErrInvalid for an entry that is
// neither an address nor a network.
func New(proxies []string) (Resolver, error) {
	var r Resolver
	for _, s := range proxies {
		p, err := parsePrefix(strings.TrimSpace(s))
		if err != nil {
			return Resolver{}, switchboard.Errorf(switchboard.ErrInvalid, "trusted proxy %q is not an address or a network like 10.0.0.0/8", s)
		}
		r.trusted = append(r.trusted, p)
	}
	return r, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (r Resolver) isTrusted(a netip.Addr) bool {
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Addr returns the client's address: the peer's, unless the peer is a
// trusted proxy; then the right-most address in X-Forwarded-For that is
// not a trusted proxy (each proxy appends the address it saw, so entries
// left of the first untrusted one may be forged by the client). It is the
// zero Addr only when the peer's address cannot be read.
func (r Resolver) Addr(req *http.Request) netip.Addr {
	peer := peerAddr(req.RemoteAddr)
	if !peer.IsValid() || !r.isTrusted(peer) {
		return peer
	}
	hops := forwardedFor(req.Header)
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a := hopAddr(hops[i])
		if !a.IsValid() {
			return client // garbage from beyond the last proxy: trust the proxy's word so far
		}
		client = a
		if !r.isTrusted(a) {
			return a
		}
	}
	return client
}

// HTTPS reports whether the client reached us over TLS: directly, or
// through a trusted proxy that says so in X-Forwarded-Proto.
func (r Resolver) HTTPS(req *http.Request) bool {
	if req.TLS != nil {
		return true
	}
	peer := peerAddr(req.RemoteAddr)
	if !peer.IsValid() || !r.isTrusted(peer) {
		return false
	}
	// The nearest proxy's word counts: the last value of the header.
	vals := strings.Split(strings.Join(req.Header.Values("X-Forwarded-Proto"), ","), ",")
	return strings.EqualFold(strings.TrimSpace(vals[len(vals)-1]), "https")
}

// String lists the trusted networks, for logs.
func (r Resolver) String() string { return fmt.Sprint(r.trusted) }

func peerAddr(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(remote) // a bare address, as some test servers set it
	return a.Unmap()
}

// forwardedFor is every X-Forwarded-For entry, in order, across repeated
// headers.
func forwardedFor(h http.Header) []string {
	var out []string
	for _, v := range h.Values("X-Forwarded-For") {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// hopAddr parses one X-Forwarded-For entry: an address, possibly with a
// port or in brackets.
func hopAddr(s string) netip.Addr {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap()
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	a, _ := netip.ParseAddr(strings.Trim(s, "[]"))
	return a.Unmap()
}
