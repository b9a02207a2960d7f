// Package switchboard holds the shared vocabulary of the contact centre:
// interactions and their states, channels, customer tiers, agent roles, and
// the few error kinds every other package reports. It imports only the
// standard library, so every adapter (Postgres, Redis, Twilio, WebSocket) can
// depend on it without depending on each other.
package switchboard
