package switchboard

import "time"

// Channel is how a customer reached the bank, or how the bank reached them.
type Channel string

const (
	ChannelVoice Channel = "voice"
	ChannelSMS   Channel = "sms"
	ChannelChat  Channel = "chat"
)

// Channels lists every channel.
var Channels = []Channel{ChannelVoice, ChannelSMS, ChannelChat}

// ParseChannel returns ErrInvalid for an unknown channel name.
func ParseChannel(s string) (Channel, error) {
	for _, c := range Channels {
		if string(c) == s {
			return c, nil
		}
	}
	return "", Errorf(ErrInvalid, "unknown channel %q (want voice, sms or chat)", s)
}

// Direction says who started an interaction.
type Direction string

const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// State is where an interaction is in its life:
// queued → offered → connected → wrapup → done, or abandoned / failed.
type State string

const (
	StateQueued    State = "queued"
	StateOffered   State = "offered"
	StateConnected State = "connected"
	StateWrapUp    State = "wrapup"
	StateDone      State = "done"
	StateAbandoned State = "abandoned"
	StateFailed    State = "failed"
)

// Terminal reports whether no further change can happen to the interaction.
func (s State) Terminal() bool {
	return s == StateDone || s == StateAbandoned || s == StateFailed
}

// Interaction is one conversation with a customer on one channel, from
// arrival to wrap-up. CustomerID is 0 while the contact is unidentified.
type Interaction struct {
	ID          int64
	Channel     Channel
	Direction   Direction
	State       State
	CustomerID  int64
	Queue       string
	Tier        ValueTier // the customer's tier when the interaction arrived
	AgentID     int64
	From, To    string // E.164 numbers or chat identities
	ProviderSID string // Twilio CallSid for calls; empty for SMS threads and chats
	IVRPath     []string
	Disposition string
	CreatedAt   time.Time
	AnsweredAt  time.Time
	EndedAt     time.Time
	EndReason   string
}
