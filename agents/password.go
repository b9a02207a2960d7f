package agents

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"

	"switchboard"
)

// argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes, 1
// lane), which keeps a login around 20 ms on a small server.
const (
	kdfTime    = 2
	kdfMemory  = 19 * 1024
	kdfThreads = 1
	kdfKeyLen  = 32
)

// HashPassword returns the PHC-format argon2id hash of pw with a fresh salt.
// Passwords shorter than 8 characters are refused with ErrInvalid.
func HashPassword(pw string) (string, error) {
	if len(pw) < 8 {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "password must be at least 8 characters")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("agents: salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, kdfTime, kdfMemory, kdfThreads, kdfKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, kdfMemory, kdfTime, kdfThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// checkPassword reports whether pw matches the PHC hash, using the
// parameters recorded in the hash so they can be raised later.
func checkPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
