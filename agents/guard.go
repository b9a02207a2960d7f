package agents

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/internal/keyspace"
)

// GuardConfig is the sign-in throttle's policy; zero values get defaults.
type GuardConfig struct {
	Failures       int           // failed sign-ins of one account before it locks; default 5
	SourceFailures int           // failed sign-ins from one address before it locks; default 100
	Lockout        time.Duration // the first lock; it doubles with each further failure, up to 32 times; default 1 min
	Prefix, Centre string        // the run's Redis key prefix and the contact centre's hash tag
}

func (c GuardConfig) withDefaults() GuardConfig {
	if c.Failures <= 0 {
		c.Failures = 5
	}
	if c.SourceFailures <= 0 {
		c.SourceFailures = 100
	}
	if c.Lockout <= 0 {
		c.Lockout = time.Minute
	}
	if c.Centre == "" {
		c.Centre = "main"
	}
	return c
}

// Guard throttles sign-ins across every node: an account or a source
// address that fails too often is locked for a while, and a locked one is
// refused before its password is hashed. Every attempt is recorded in
// auth_events. It is safe for concurrent use.
type Guard struct {
	store *Store
	rdb   redis.UniversalClient
	space keyspace.Centre
	cfg   GuardConfig
	log   *slog.Logger
}

// NewGuard returns a Guard for the sign-ins of store.
func NewGuard(store *Store, rdb redis.UniversalClient, cfg GuardConfig, log *slog.Logger) *Guard {
	cfg = cfg.withDefaults()
	return &Guard{store: store, rdb: rdb, space: keyspace.New(cfg.Prefix, cfg.Centre), cfg: cfg, log: log}
}

// Attempt is one sign-in: what was typed and where it came from.
type Attempt struct {
	Username, Password string
	Source             netip.Addr // the client's address (see clientip); zero if unknown
}

//go:embed lua/login_failed.lua
var loginFailedLua string

var loginFailed = redis.NewScript(loginFailedLua)

// Login is Store.Login behind the throttle. Errors: ErrThrottled with a
// RetryAfter while the account or the source is locked; ErrUnavailable
// when too many passwords are being checked, or Redis does not answer (a
// throttle that cannot count must not let guesses through); otherwise as
// Store.Login.
func (g *Guard) Login(ctx context.Context, at Attempt) (*Session, error) {
	keys := g.keys(at)
	if err := g.refuseLocked(ctx, keys); err != nil {
		return nil, err
	}
	sess, out, err := g.store.login(ctx, at.Username, at.Password)
	switch out {
	case outcomeOK:
		if err := g.rdb.Del(ctx, keys.account.count, keys.account.lock).Err(); err != nil {
			g.log.Warn("agents: clear failed sign-ins", "err", err)
		}
	case outcomeBadPassword, outcomeUnknownUser, outcomeInactive:
		if locked, ferr := g.countFailure(ctx, keys); ferr != nil {
			return nil, ferr
		} else if locked > 0 {
			defer g.audit(ctx, at, outcomeLocked)
		}
	case "":
		return nil, err // Postgres failed: nothing was checked
	}
	if aerr := g.audit(ctx, at, out); aerr != nil {
		return nil, aerr
	}
	return sess, err
}

type keyPair struct{ count, lock string }

type guardKeys struct{ account, source keyPair }

// keys are the Redis keys of the attempt's account and source. The
// account is hashed (a username may be anything typed, of any length);
// IPv6 sources count by /64, which one client usually holds whole.
func (g *Guard) keys(at Attempt) guardKeys {
	h := sha256.Sum256([]byte(strings.ToLower(at.Username)))
	src := "unknown"
	if a := at.Source; a.Is6() && !a.Is4In6() {
		src = netip.PrefixFrom(a, 64).Masked().String()
	} else if a.IsValid() {
		src = a.String()
	}
	var k guardKeys
	k.account.count, k.account.lock = g.space.LoginAccount(hex.EncodeToString(h[:16]))
	k.source.count, k.source.lock = g.space.LoginSource(src)
	return k
}

// refuseLocked returns ErrThrottled while either key is locked.
func (g *Guard) refuseLocked(ctx context.Context, k guardKeys) error {
	pipe := g.rdb.Pipeline()
	a := pipe.PTTL(ctx, k.account.lock)
	s := pipe.PTTL(ctx, k.source.lock)
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable(fmt.Errorf("agents: read sign-in locks: %w", err))
	}
	wait := max(a.Val(), s.Val())
	if wait <= 0 {
		return nil
	}
	return switchboard.Throttled(wait, "too many failed sign-ins; try again in %s", wait.Round(time.Second))
}

// countFailure counts a failure against both keys and returns the lock it
// started, if any.
func (g *Guard) countFailure(ctx context.Context, k guardKeys) (time.Duration, error) {
	longest := 32 * g.cfg.Lockout
	ms, err := loginFailed.Run(ctx, g.rdb, []string{k.account.count, k.account.lock, k.source.count, k.source.lock},
		g.cfg.Lockout.Milliseconds(), longest.Milliseconds(), longest.Milliseconds(), g.cfg.Failures, g.cfg.SourceFailures).Int64()
	if err != nil {
		return 0, unavailable(fmt.Errorf("agents: count a failed sign-in: %w", err))
	}
	return time.Duration(ms) * time.Millisecond, nil
}

func unavailable(err error) error {
	return fmt.Errorf("%w: %w", switchboard.Errorf(switchboard.ErrUnavailable, "sign-in is unavailable for a moment; try again"), err)
}

// audit records the attempt in auth_events. The username is kept as typed
// (cut to 64 characters) so that guesses at names that do not exist show.
func (g *Guard) audit(ctx context.Context, at Attempt, out outcome) error {
	var src *netip.Addr
	if at.Source.IsValid() {
		src = &at.Source
	}
	name := at.Username
	if r := []rune(name); len(r) > 64 {
		name = string(r[:64])
	}
	_, err := g.store.pool.Exec(ctx, `INSERT INTO auth_events (at, username, agent_id, source, outcome)
		VALUES ($1, $2, (SELECT id FROM agents WHERE username = $2), $3, $4)`, g.store.now(), name, src, string(out))
	if err != nil {
		return fmt.Errorf("agents: audit a sign-in: %w", err)
	}
	return nil
}
