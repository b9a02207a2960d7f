package twiliovoice

import (
	"fmt"
	"time"

	"github.com/twilio/twilio-go/client/jwt"

	"switchboard"
)

// Softphone mints the access tokens with which an agent's browser
// registers the Twilio Voice JS SDK as the Client identity the bridge dials
// ("client:" + AgentClient). Tokens are signed with an API key, never with
// the account's auth token, and live briefly: the desk fetches a new one
// before each expires.
type Softphone struct {
	AccountSID   string // TWILIO_ACCOUNT_SID
	APIKeySID    string // TWILIO_API_KEY_SID
	APIKeySecret string // TWILIO_API_KEY_SECRET
	TwiMLAppSID  string // TWILIO_TWIML_APP_SID: optional, for calls the softphone places
	// Identity is the Client identity of an agent; the voice channel's
	// AgentClient, so the bridge rings the softphone that registered.
	Identity func(agentID int64) string
	TTL      time.Duration // default 10 minutes
}

// SoftphoneToken is one access token and what it is for.
type SoftphoneToken struct {
	Token    string
	Identity string
	Expires  time.Time
}

// Token returns an access token for agentID's softphone, valid from now
// for TTL, with a voice grant that accepts incoming calls (the bridge's
// agent leg). ErrInvalid if the key is not configured.
func (s Softphone) Token(agentID int64, now time.Time) (SoftphoneToken, error) {
	if s.AccountSID == "" || s.APIKeySID == "" || s.APIKeySecret == "" || s.Identity == nil {
		return SoftphoneToken{}, switchboard.Errorf(switchboard.ErrInvalid, "twiliovoice: the softphone needs an account, an API key and its secret")
	}
	ttl := s.TTL
	if ttl <= 0 {
		ttl = 10 * time.Minute
	}
	id := s.Identity(agentID)
	expires := now.Add(ttl).Truncate(time.Second)
	grant := &jwt.VoiceGrant{Incoming: jwt.Incoming{Allow: true}, Outgoing: jwt.Outgoing{ApplicationSid: s.TwiMLAppSID}}
	// The library's Ttl has a floor of an hour; ValidUntil sets exp itself.
	at := jwt.CreateAccessToken(jwt.AccessTokenParams{AccountSid: s.AccountSID, SigningKeySid: s.APIKeySID,
		Secret: s.APIKeySecret, Identity: id, Nbf: float64(now.Unix()), ValidUntil: float64(expires.Unix()),
		Grants: []jwt.BaseGrant{grant}})
	tok, err := at.ToJwt()
	if err != nil {
		return SoftphoneToken{}, fmt.Errorf("twiliovoice: sign softphone token: %w", err)
	}
	return SoftphoneToken{Token: tok, Identity: id, Expires: expires}, nil
}

// AgentClient is the Twilio Client identity the bridge dials for agentID.
func (c *Channel) AgentClient(agentID int64) string { return c.cfg.AgentClient(agentID) }
