// Package webchat is the web chat channel: a customer WebSocket at
// /channels/chat/ws and the embeddable widget script at
// /channels/chat/widget.js.
//
// Protocol: JSON text frames, one object each, with a "type".
//
// From the customer:
//
//	{"type":"hello","name":"Ann","phone":"13800138000","language":"zh"}       anonymous
//	{"type":"hello","token":"<bank-signed token>"}                             signed in
//	{"type":"hello","resume":"<resume token>","last_seen":41}                  reconnect
//	{"type":"message","client_msg_id":"m-7","body":"..."}
//	{"type":"typing","typing":true}
//	{"type":"sms","accept":true}            take up the offer to continue by SMS
//
// To the customer:
//
//	{"type":"welcome","interaction_id":42,"resume":"...","messages":[...]}    after hello; messages missed since last_seen
//	{"type":"ack","client_msg_id":"m-7","message":{...}}                      stored; a resend gets the same ack
//	{"type":"message","message":{...}}                                         from the agent
//	{"type":"typing","typing":true}
//	{"type":"agent_joined","name":"Amy"}
//	{"type":"offer_sms","text":"..."}      no agent answered in time
//	{"type":"closed"}                       the agent ended the chat
//	{"type":"error","error":{"code":"invalid","message":"...","temporary":false}}
//
// The first message opens the interaction, stores it and routes it, all
// before the ack; every message is stored before it is acknowledged, and
// client_msg_id makes a resend idempotent. The resume token (an HMAC of the
// interaction id and an expiry, Config.ResumeFor; each welcome brings a
// fresh one) lets a reconnecting widget resume the conversation: it gets
// what it missed after last_seen, nothing lost and nothing doubled.
//
// Signed-in customers bring a token the bank's site signs with the shared
// key (SignCustomerToken): base64url(JSON {"cid":id,"exp":unix}) "."
// base64url(HMAC-SHA256). Anonymous customers give a name and, optionally,
// a phone number.
//
// Trust: the Origin must be in the allowlist; frames are at most 8 KiB and
// parsed strictly; each IP is limited in connections and messages, and each
// customer in messages. The limits are shared by every node through Redis
// (one GCRA bucket per key, ratelimit.lua); while Redis is unreachable each
// node falls back to counting on its own.
//
// Agent replies and typing come through Channel.Reply and Channel.Typing
// (called by the desk on any node) and travel on the channels.Bus to the
// node holding the customer's socket; customers' messages travel the same
// bus to the desk.
package webchat
