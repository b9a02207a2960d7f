// Package twiliosim is a local stand-in for Twilio: it serves the part of
// the REST API Switchboard calls (Messages create, fetch and list; Calls
// create, update, fetch and list; Conferences and their Participants) under
// /2010-04-01/Accounts/{AccountSid}/..., with Basic auth, Twilio's JSON
// shapes, paging and error bodies, and records every request it gets, which
// GET / lists.
//
// It also plays the customers. A simulated caller dials the bank's number:
// the simulator posts the voice webhook (form-encoded and signed with the
// auth token, exactly as Twilio does), follows the TwiML it gets back (Say,
// Play, Pause, Gather, Redirect, Dial with Conference, Enqueue, Hangup),
// presses the digits of its script, waits, and hangs up when its patience
// runs out or its conversation is over, sending the status callbacks Twilio
// would. A simulated phone texts the bank and receives texts; Messages
// created through the API are delivered to it with sent and delivered
// status callbacks. Agent legs added to a conference with the Participants
// API are answered at once, as a softphone would.
//
// Conferences send Twilio's conference status callbacks (conference-start
// and -end; participant-join, -leave, -hold, -unhold, -mute, -unmute,
// -modify), signed, to the statusCallback of the first leg to join, whether
// it came by <Conference statusCallback statusCallbackEvent> or by the
// Participants API's ConferenceStatusCallback(Event); later legs' callbacks
// are ignored, as on Twilio. They are posted one at a time in
// SequenceNumber order. When an end-on-exit leg leaves, the other legs
// leave before conference-end is sent.
//
// Sim.Throttle answers the next requests 429 with error 20429, as Twilio
// answers an account that sends too many at once, so clients' retries can
// be tested.
//
// Time is scaled by Config.Speed so tests run a call in milliseconds.
// Trickle drives a steady flow of demo traffic.
package twiliosim
