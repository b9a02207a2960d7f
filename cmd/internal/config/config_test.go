package config

import (
	"strings"
	"testing"
)

func valid() map[string]string {
	return map[string]string{
		"TWILIO_ACCOUNT_SID":   "ACdemo0000000000000000000000000001",
		"TWILIO_AUTH_TOKEN":    "demoauthtoken0001",
		"TWILIO_FROM_NUMBER":   "+8610955880",
		"SWITCHBOARD_CHAT_KEY": "0123456789abcdef0123456789abcdef",
	}
}

func TestLoadDefaults(t *testing.T) {
	env := valid()
	e, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if e.Addr != ":8080" || e.PublicURL != "http://localhost:8080" || e.TwilioAPIURL != "https://api.twilio.com" {
		t.Fatalf("defaults: %+v", e)
	}
	if len(e.ChatOrigins) != 1 || e.ChatOrigins[0] != "http://localhost:8080" {
		t.Fatalf("chat origins default to the public URL, got %v", e.ChatOrigins)
	}
}

func TestLoadNamesTheBadVariable(t *testing.T) {
	tests := map[string]struct {
		name, value string
		want        string
	}{
		"database url scheme":  {"DATABASE_URL", "mysql://x/y", "DATABASE_URL is not a postgres or postgresql URL"},
		"database url garbage": {"DATABASE_URL", "::::", "DATABASE_URL is not"},
		"redis url":            {"REDIS_URL", "127.0.0.1:6379", "REDIS_URL is not a redis or rediss URL"},
		"addr":                 {"SWITCHBOARD_ADDR", "8080", "SWITCHBOARD_ADDR is not a listen address"},
		"public url":           {"SWITCHBOARD_PUBLIC_URL", "localhost", "SWITCHBOARD_PUBLIC_URL is not a http or https URL"},
		"missing sid":          {"TWILIO_ACCOUNT_SID", "", "TWILIO_ACCOUNT_SID is required"},
		"bad sid":              {"TWILIO_ACCOUNT_SID", "XY123", `TWILIO_ACCOUNT_SID must be "AC"`},
		"token with dash":      {"TWILIO_AUTH_TOKEN", "test-token-1", "TWILIO_AUTH_TOKEN must be 8 or more letters and digits"},
		"from number":          {"TWILIO_FROM_NUMBER", "95588", "TWILIO_FROM_NUMBER must be an E.164 number"},
		"short chat key":       {"SWITCHBOARD_CHAT_KEY", "short", "SWITCHBOARD_CHAT_KEY must be at least 32 characters"},
		"session ttl":          {"SWITCHBOARD_SESSION_TTL", "forever", "SWITCHBOARD_SESSION_TTL is not a positive duration"},
		"log level":            {"SWITCHBOARD_LOG_LEVEL", "loud", "SWITCHBOARD_LOG_LEVEL must be"},
		"api key sid":          {"TWILIO_API_KEY_SID", "AK123", `TWILIO_API_KEY_SID must be "SK"`},
		"api key alone":        {"TWILIO_API_KEY_SID", "SK0123456789abcdef0123456789abcdef", "TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET must be set together"},
		"api secret alone":     {"TWILIO_API_KEY_SECRET", "secretsecretsecret00", "TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET must be set together"},
		"api secret bad":       {"TWILIO_API_KEY_SECRET", "short", "TWILIO_API_KEY_SECRET must be 16 or more"},
		"twiml app alone":      {"TWILIO_TWIML_APP_SID", "AP0123456789abcdef0123456789abcdef", "TWILIO_TWIML_APP_SID needs TWILIO_API_KEY_SID"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := valid()
			env[tc.name] = tc.value
			_, err := Load(func(k string) string { return env[k] })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestLoadSoftphoneKey(t *testing.T) {
	env := valid()
	env["TWILIO_API_KEY_SID"] = "SK0123456789abcdef0123456789abcdef"
	env["TWILIO_API_KEY_SECRET"] = "secretsecretsecret00"
	env["TWILIO_TWIML_APP_SID"] = "AP0123456789abcdef0123456789abcdef"
	e, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if e.TwilioAPIKeySID != env["TWILIO_API_KEY_SID"] || e.TwilioAPIKeySecret != env["TWILIO_API_KEY_SECRET"] || e.TwilioTwiMLAppSID != env["TWILIO_TWIML_APP_SID"] {
		t.Fatalf("softphone settings %+v", e)
	}
	env["TWILIO_API_KEY_SECRET"] = "bad secret with spaces"
	if _, err := Load(func(k string) string { return env[k] }); err == nil || strings.Contains(err.Error(), "spaces") {
		t.Fatalf("err = %v; want an error that does not echo the secret", err)
	}
}

func TestLoadRedactsPasswords(t *testing.T) {
	env := valid()
	env["DATABASE_URL"] = "mysql://user:secret@host/db"
	_, err := Load(func(k string) string { return env[k] })
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("err = %v; want an error without the password", err)
	}
}
