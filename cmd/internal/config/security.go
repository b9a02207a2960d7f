package config

import (
	"strconv"
	"time"

	"switchboard/internal/clientip"
)

// Security is how the server tells who a client is and how hard it makes
// guessing passwords.
type Security struct {
	// TrustedProxies (SWITCHBOARD_TRUSTED_PROXIES) are the addresses or
	// networks of the proxies in front of the server, whose
	// X-Forwarded-For and X-Forwarded-Proto are believed; none by default.
	TrustedProxies clientip.Resolver
	// LoginFailures (SWITCHBOARD_LOGIN_FAILURES) failed sign-ins lock an
	// account, LoginSourceFailures (SWITCHBOARD_LOGIN_SOURCE_FAILURES) a
	// client address; for LoginLockout (SWITCHBOARD_LOGIN_LOCKOUT) at
	// first, doubling with each further failure.
	LoginFailures, LoginSourceFailures int
	LoginLockout                       time.Duration
	// LoginHashes (SWITCHBOARD_LOGIN_HASHES) is how many passwords a node
	// checks at once (each holds 19 MiB for some 20 ms).
	LoginHashes int
}

func (r *reader) security() Security {
	proxies, err := clientip.New(r.list("SWITCHBOARD_TRUSTED_PROXIES", ""))
	if err != nil {
		r.fail("SWITCHBOARD_TRUSTED_PROXIES", "%v", err)
	}
	return Security{
		TrustedProxies:      proxies,
		LoginFailures:       r.between("SWITCHBOARD_LOGIN_FAILURES", 5, 1, 1000),
		LoginSourceFailures: r.between("SWITCHBOARD_LOGIN_SOURCE_FAILURES", 100, 1, 100000),
		LoginLockout:        r.duration("SWITCHBOARD_LOGIN_LOCKOUT", time.Minute),
		LoginHashes:         r.between("SWITCHBOARD_LOGIN_HASHES", 4, 1, 256),
	}
}

// between reads a whole number from lo to hi.
func (r *reader) between(name string, def, lo, hi int) int {
	v := r.get(name, strconv.Itoa(def))
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, "is not a whole number from %d to %d: %q", lo, hi, v)
	}
	return n
}
