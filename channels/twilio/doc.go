// Package twilio is how Switchboard talks to Twilio, whichever channel is
// talking: the parts of the wire that the voice and SMS adapters
// (channels/twiliovoice, channels/twiliosms) and the campaign dialer share.
// It is named for Twilio, as twilio-go's root package is; no file needs
// both, since Client replaces what was used of that one.
//
//   - RequireSignature checks X-Twilio-Signature against the configured
//     public URL before a webhook is parsed for anything else.
//
//   - Handler and Errors: a webhook returns its failure, and one writer
//     answers it from its switchboard error kind (Status): 400, 403, 404…,
//     or 503 for a failure on our side; a webhook a live call follows
//     (Errors.ServeCall) is answered instead with TwiML that apologises and
//     hangs up.
//
//   - Client points twilio-go at the configured API URL, the real Twilio or
//     the simulator (channels/twiliosim). Each call, Client.API(ctx), is a
//     span of ctx's trace with no phone number or body in it, and is tried
//     again when Twilio answers 429 or 503, which it documents as not
//     processed (Retry).
//
//   - The TwiML written by hand rather than with twilio-go's twiml
//     elements: Hangup, SayAndHangUp, WaitInConference, NoReply, and
//     ConferenceName, the room of an interaction.
package twilio
