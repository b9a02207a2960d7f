// Package twiliovoice is the voice channel over Twilio Programmable Voice.
//
// A call arrives at POST /channels/twilio/voice: the caller's number is
// normalised and identified (an unknown or withheld number gives an
// interaction with no customer, which an agent links later), the
// interaction is committed, and the IVR begins. The IVR (Menu) asks for a
// language (中文 / English) and an intent, each a <Gather> with a timeout
// and a default, and maps the intent to a routing queue (cards, loans,
// wealth, complaints, general). The interaction is then enqueued and the
// caller is held in a loop of hold music and prompts
// (/channels/twilio/voice/hold), which never mention the tier.
//
// Virtual hold: on hold, the caller may press Menu.CallbackKey to be called
// back. The number is kept on the interaction, the call ends, and the
// interaction keeps its place in the queue.
//
// Bridging: Run subscribes to the routing engine's events. When an agent
// accepts a voice interaction, exactly one node (a Redis claim) bridges
// it in a conference named interaction-<id>, so transfers and supervisors
// can join later: the agent's softphone is added with the Participants
// API, and the caller's leg is redirected (Calls update) to
// /channels/twilio/voice/bridge, whose TwiML dials the conference. A caller
// who chose a callback is dialled instead (Calls create), straight into
// the conference.
//
// Call progress arrives at /channels/twilio/voice/status. A caller who hangs
// up in the IVR or while queued abandons the interaction, which leaves the
// routing queue at once (routing.Engine.Cancel); one who hangs up after
// being bridged ends the conversation, and the agent goes to wrap-up
// (routing.Engine.Complete). A caller waiting for a callback does not
// abandon.
//
// Conference events (start, end, and each leg's join and leave, with
// Twilio's reason) arrive at /channels/twilio/voice/conference and are kept
// in the interaction's history as conference_started, conference_joined,
// conference_left and conference_ended, so a supervisor sees when the
// customer and the agent were really connected and who hung up first. Both
// the caller's <Conference> and the agent's Participants request ask for
// them, since whichever leg joins first sets the conference's callback.
//
// Every endpoint is behind twilio.RequireSignature; the interaction id in
// the query string of our own callback URLs is covered by the signature,
// and the CallSid must match the interaction's. Failures are answered by
// twilio.Errors: a request that is no real call's is refused with its
// status, and a caller whose webhook failed on our side hears an apology
// and the hang-up, never an error page.
//
// Outbound is the campaign dialer's voice side (campaigns.Calls): it
// places the dialer's calls with answering-machine detection, hangs them
// up, and writes the TwiML of what the dialer decided for an answered
// call, so that campaigns keeps the decisions and none of the wire.
package twiliovoice
