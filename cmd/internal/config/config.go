// Package config reads Switchboard's settings from the environment, once, in
// the binaries' main. No other package reads the environment: they get the
// values they need through their constructors.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Env is every setting of the server and the operator CLI. The README
// documents each variable.
type Env struct {
	DatabaseURL string // DATABASE_URL
	RedisURL    string // REDIS_URL
	Addr        string // SWITCHBOARD_ADDR
	PublicURL   string // SWITCHBOARD_PUBLIC_URL: the base Twilio signs webhooks against
	Centre      string // SWITCHBOARD_CENTRE: the contact centre's Redis hash tag
	RedisPrefix string // SWITCHBOARD_REDIS_PREFIX
	LogLevel    slog.Level
	SessionTTL  time.Duration

	TwilioAccountSID string // TWILIO_ACCOUNT_SID
	TwilioAuthToken  string // TWILIO_AUTH_TOKEN
	TwilioAPIURL     string // TWILIO_API_URL
	TwilioFrom       string // TWILIO_FROM_NUMBER: the bank's number for SMS and outbound calls

	// The desk's softphone (Twilio Voice JS SDK) is on when an API key is
	// set; without one the desk's call controls drive the call from the
	// server only.
	TwilioAPIKeySID    string // TWILIO_API_KEY_SID: signs the softphone's access tokens
	TwilioAPIKeySecret string // TWILIO_API_KEY_SECRET
	TwilioTwiMLAppSID  string // TWILIO_TWIML_APP_SID: optional, lets the softphone place calls

	ChatKey     string   // SWITCHBOARD_CHAT_KEY: HMAC key of signed-in chat tokens
	ChatOrigins []string // SWITCHBOARD_CHAT_ORIGINS: pages allowed to open a chat

	Routing  Routing  // SWITCHBOARD_OFFERS_PER_AGENT and the rest of routing.go
	Security Security // SWITCHBOARD_TRUSTED_PROXIES and the rest of security.go
}

// Load reads the environment through getenv (os.Getenv in main, a map in
// tests). The first missing or malformed variable is reported in one line
// that names it.
func Load(getenv func(string) string) (Env, error) {
	r := reader{getenv: getenv}
	e := Env{
		DatabaseURL:      r.url("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/switchboard?sslmode=disable", "postgres", "postgresql"),
		RedisURL:         r.url("REDIS_URL", "redis://127.0.0.1:6379/0", "redis", "rediss"),
		Addr:             r.addr("SWITCHBOARD_ADDR", ":8080"),
		PublicURL:        strings.TrimRight(r.url("SWITCHBOARD_PUBLIC_URL", "http://localhost:8080", "http", "https"), "/"),
		Centre:           r.match("SWITCHBOARD_CENTRE", "main", `^[a-z0-9_-]{1,32}$`, "letters, digits, _ or -"),
		RedisPrefix:      r.match("SWITCHBOARD_REDIS_PREFIX", "sb:", `^[A-Za-z0-9_:.-]{0,64}$`, "letters, digits and _:.-"),
		LogLevel:         r.level("SWITCHBOARD_LOG_LEVEL"),
		SessionTTL:       r.duration("SWITCHBOARD_SESSION_TTL", 12*time.Hour),
		TwilioAccountSID: r.match("TWILIO_ACCOUNT_SID", "", `^AC[A-Za-z0-9]{1,62}$`, `"AC" then letters and digits`),
		TwilioAuthToken:  r.match("TWILIO_AUTH_TOKEN", "", `^[A-Za-z0-9]{8,128}$`, "8 or more letters and digits"),
		TwilioAPIURL:     strings.TrimRight(r.url("TWILIO_API_URL", "https://api.twilio.com", "http", "https"), "/"),
		TwilioFrom:       r.match("TWILIO_FROM_NUMBER", "", `^\+[1-9][0-9]{6,14}$`, "an E.164 number such as +8610955880"),
		ChatKey:          r.match("SWITCHBOARD_CHAT_KEY", "", `^.{32,}$`, "at least 32 characters"),
	}
	e.ChatOrigins = r.list("SWITCHBOARD_CHAT_ORIGINS", e.PublicURL)
	e.Routing = r.routing()
	e.Security = r.security()
	e.TwilioAPIKeySID = r.optional("TWILIO_API_KEY_SID", `^SK[0-9a-fA-F]{32}$`, `"SK" then 32 hex digits`)
	e.TwilioAPIKeySecret = r.optional("TWILIO_API_KEY_SECRET", `^[A-Za-z0-9]{16,128}$`, "16 or more letters and digits")
	e.TwilioTwiMLAppSID = r.optional("TWILIO_TWIML_APP_SID", `^AP[0-9a-fA-F]{32}$`, `"AP" then 32 hex digits`)
	switch {
	case (e.TwilioAPIKeySID == "") != (e.TwilioAPIKeySecret == ""):
		r.fail("TWILIO_API_KEY_SID", "and TWILIO_API_KEY_SECRET must be set together")
	case e.TwilioTwiMLAppSID != "" && e.TwilioAPIKeySID == "":
		r.fail("TWILIO_TWIML_APP_SID", "needs TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET")
	}
	return e, r.err
}

// reader collects the first error so Load reads like a list of settings.
type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) get(name, def string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return def
	}
	return v
}

func (r *reader) fail(name, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("config: %s %s", name, fmt.Sprintf(format, args...))
	}
}

func (r *reader) url(name, def string, schemes ...string) string {
	v := r.get(name, def)
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || !contains(schemes, u.Scheme) {
		r.fail(name, "is not a %s URL: %q", strings.Join(schemes, " or "), redact(v))
	}
	return v
}

func (r *reader) addr(name, def string) string {
	v := r.get(name, def)
	if !regexp.MustCompile(`^[A-Za-z0-9.\-\[\]:]*:[0-9]{1,5}$`).MatchString(v) {
		r.fail(name, "is not a listen address like :8080 or 127.0.0.1:8080: %q", v)
	}
	return v
}

func (r *reader) match(name, def, pattern, want string) string {
	v := r.get(name, def)
	if v == "" && def == "" {
		r.fail(name, "is required (%s)", want)
		return ""
	}
	if !regexp.MustCompile(pattern).MatchString(v) {
		r.fail(name, "must be %s", want)
	}
	return v
}

// optional is match for a variable that may be unset ("").
func (r *reader) optional(name, pattern, want string) string {
	v := r.get(name, "")
	if v != "" && !regexp.MustCompile(pattern).MatchString(v) {
		r.fail(name, "must be %s", want)
	}
	return v
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.get(name, def.String())
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "is not a positive duration like 12h or 30m: %q", v)
	}
	return d
}

func (r *reader) level(name string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(r.get(name, "info"))); err != nil {
		r.fail(name, "must be debug, info, warn or error")
	}
	return l
}

func (r *reader) list(name, def string) []string {
	var out []string
	for _, s := range strings.Split(r.get(name, def), ",") {
		if s = strings.TrimRight(strings.TrimSpace(s), "/"); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// redact hides a password in a URL so the error line can be logged.
func redact(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.User == nil {
		return v
	}
	return u.Redacted()
}
