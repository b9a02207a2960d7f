package agents

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/pgdb"
)

// Store reads and writes agents and their sessions in Postgres. It is safe
// for concurrent use.
type Store struct {
	pool       *pgxpool.Pool
	now        func() time.Time
	sessionTTL time.Duration
	hashes     hashLimit
}

// NewStore returns a Store whose sessions last ttl, checking at most
// DefaultHashes passwords at once (see LimitHashes).
func NewStore(pool *pgxpool.Pool, ttl time.Duration, now func() time.Time) *Store {
	s := &Store{pool: pool, now: now, sessionTTL: ttl}
	s.LimitHashes(DefaultHashes, DefaultHashWait)
	return s
}

// Session is what a successful login returns: the token (shown only once)
// and the agent it belongs to.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Agent     *switchboard.Agent
}

const agentColumns = `id, username, name, role, coalesce(team_id, 0), skills, languages, tiers,
	capacity_voice, capacity_chat, capacity_sms, active`

// scanAgent reads agentColumns and a password hash, then any more columns
// into more.
func scanAgent(row pgx.Row, more ...any) (*switchboard.Agent, string, error) {
	var a switchboard.Agent
	var role string
	var tiers []string
	var voice, chat, sms int
	var hash string
	err := row.Scan(append([]any{&a.ID, &a.Username, &a.Name, &role, &a.TeamID, &a.Skills, &a.Languages, &tiers,
		&voice, &chat, &sms, &a.Active, &hash}, more...)...)
	if err != nil {
		return nil, "", err
	}
	a.Role = switchboard.Role(role)
	for _, t := range tiers {
		a.Tiers = append(a.Tiers, switchboard.ValueTier(t))
	}
	a.Capacity = map[switchboard.Channel]int{switchboard.ChannelVoice: voice, switchboard.ChannelChat: chat, switchboard.ChannelSMS: sms}
	return &a, hash, nil
}

// Login checks a username and password and opens a session. A wrong
// username, a wrong password and an inactive agent all return the same
// ErrUnauthorized, so the answer does not reveal which usernames exist.
// ErrUnavailable means too many passwords were being checked at once (see
// LimitHashes). Login does not throttle; Guard.Login does.
func (s *Store) Login(ctx context.Context, username, password string) (*Session, error) {
	sess, _, err := s.login(ctx, username, password)
	return sess, err
}

// outcome is how a sign-in ended, as auth_events records it.
type outcome string

const (
	outcomeOK          outcome = "ok"
	outcomeBadPassword outcome = "bad_password"
	outcomeUnknownUser outcome = "unknown_user"
	outcomeInactive    outcome = "inactive"
	outcomeLocked      outcome = "locked"
	outcomeBusy        outcome = "busy"
)

func (s *Store) login(ctx context.Context, username, password string) (*Session, outcome, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+agentColumns+`, password_hash FROM agents WHERE username = $1`, username)
	a, hash, err := scanAgent(row)
	if errors.Is(err, pgx.ErrNoRows) {
		a, hash = nil, dummyHash() // same time as a real check
	} else if err != nil {
		return nil, "", fmt.Errorf("agents: login %q: %w", username, err)
	}
	ok, err := s.checkPassword(ctx, hash, password)
	switch {
	case err != nil:
		return nil, outcomeBusy, err
	case a == nil:
		return nil, outcomeUnknownUser, errBadLogin
	case !ok:
		return nil, outcomeBadPassword, errBadLogin
	case !a.Active:
		return nil, outcomeInactive, errBadLogin
	}
	sess, err := s.openSession(ctx, a)
	if err != nil {
		return nil, "", err
	}
	return sess, outcomeOK, nil
}

func (s *Store) openSession(ctx context.Context, a *switchboard.Agent) (*Session, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("agents: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	expires := s.now().Add(s.sessionTTL)
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		tokenHash(token), a.ID, s.now(), expires)
	if err != nil {
		return nil, fmt.Errorf("agents: open session for %q: %w", a.Username, err)
	}
	return &Session{Token: token, ExpiresAt: expires, Agent: a}, nil
}

var errBadLogin = switchboard.Errorf(switchboard.ErrUnauthorized, "wrong username or password")

// dummyHash is checked when the username is unknown, so that a login for an
// unknown user costs as much as one with a wrong password. It is made at
// the first such login, not when the program starts: every command and
// test binary that links this package would otherwise pay an argon2 hash.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not-a-real-password")
	return h
})

// Authenticate returns the agent whose live session token is token, or
// ErrUnauthorized.
func (s *Store) Authenticate(ctx context.Context, token string) (*switchboard.Agent, error) {
	sess, err := s.Check(ctx, token)
	if err != nil {
		return nil, err
	}
	return sess.Agent, nil
}

// Check returns the live session of token, with its expiry and its active
// agent (the Token field is left empty), or ErrUnauthorized.
func (s *Store) Check(ctx context.Context, token string) (*Session, error) {
	if token == "" {
		return nil, switchboard.Errorf(switchboard.ErrUnauthorized, "a session token is required")
	}
	var expires time.Time
	row := s.pool.QueryRow(ctx, `SELECT `+agentColumns+`, '', s.expires_at FROM sessions s JOIN agents a ON a.id = s.agent_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active`, tokenHash(token), s.now())
	a, _, err := scanAgent(row, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.Errorf(switchboard.ErrUnauthorized, "the session has expired or does not exist; log in again")
	}
	if err != nil {
		return nil, fmt.Errorf("agents: authenticate: %w", err)
	}
	return &Session{ExpiresAt: expires, Agent: a}, nil
}

// SessionKey names the session of token without revealing it: the hex of
// the hash the sessions table keeps, as the sessions_ended notices carry.
func SessionKey(token string) string {
	return hex.EncodeToString(tokenHash(token))
}

// HasLiveSession reports whether the agent still has a session that has not
// expired (another browser, say, after one of them logged out).
func (s *Store) HasLiveSession(ctx context.Context, agentID int64) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sessions WHERE agent_id = $1 AND expires_at > $2)`, agentID, s.now()).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("agents: live sessions of %d: %w", agentID, err)
	}
	return ok, nil
}

// Deactivate stops an agent from working: they can no longer log in, and
// their sessions end (every node's desk closes their sockets on commit).
// Errors: ErrNotFound for an unknown agent.
func (s *Store) Deactivate(ctx context.Context, id int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE agents SET active = false WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("agents: deactivate %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return switchboard.Errorf(switchboard.ErrNotFound, "no agent %d", id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE agent_id = $1`, id); err != nil {
			return fmt.Errorf("agents: deactivate %d: %w", id, err)
		}
		return nil
	})
}

// Logout ends the session; ending one that does not exist is not an error.
func (s *Store) Logout(ctx context.Context, token string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash(token)); err != nil {
		return fmt.Errorf("agents: logout: %w", err)
	}
	return nil
}

// Get returns one agent, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (*switchboard.Agent, error) {
	a, _, err := scanAgent(s.pool.QueryRow(ctx, `SELECT `+agentColumns+`, '' FROM agents WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("agents: get %d: %w", id, pgdb.FormatError(err))
	}
	return a, nil
}

// Filter selects agents for List; zero fields match everything.
type Filter struct {
	Role   switchboard.Role
	TeamID int64
	Active *bool
}

// List returns the agents that match f, ordered by id.
func (s *Store) List(ctx context.Context, f Filter) ([]*switchboard.Agent, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+agentColumns+`, '' FROM agents
		WHERE ($1 = '' OR role = $1) AND ($2 = 0 OR team_id = $2) AND ($3::boolean IS NULL OR active = $3)
		ORDER BY id`, string(f.Role), f.TeamID, f.Active)
	if err != nil {
		return nil, fmt.Errorf("agents: list: %w", err)
	}
	defer rows.Close()
	var out []*switchboard.Agent
	for rows.Next() {
		a, _, err := scanAgent(rows)
		if err != nil {
			return nil, fmt.Errorf("agents: list: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
