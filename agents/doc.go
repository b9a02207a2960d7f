// Package agents keeps the staff who log in to Switchboard: their profiles
// (role, skills, languages, tiers they may serve, per-channel capacity),
// their passwords (argon2id), and their sessions. A session token is random,
// shown once to the client, and stored only as a SHA-256 hash.
package agents
