// Package channels turns provider traffic into interactions and messages:
// the parts the voice, SMS and chat adapters share. Each adapter lives in a
// sub-package named for its technology (twiliovoice, twiliosms, webchat); the
// local Twilio stand-in is twiliosim.
//
// What is shared here:
//
//   - Store writes an arriving contact (the interaction row, its first
//     interaction_events row and the message row) in one transaction, which
//     is committed before the provider is answered. Provider ids (CallSid,
//     MessageSid, chat client message ids) are unique in Postgres, so a
//     retried webhook or a resent chat frame finds its first copy and
//     changes nothing.
//
//   - RequireTwilioSignature checks X-Twilio-Signature against the configured
//     public URL before the request is parsed for anything else.
//
//   - NewTwilioClient points twilio-go at the configured API URL, the real
//     Twilio or the simulator.
//
//   - Bus publishes what an agent's desk must show besides routing's events
//     (a customer's message, a typing indicator, a delivery status, and
//     frames one desk node sends to an agent's desks on the others) on the
//     centre's one desk-events pub/sub channel, so the node that holds the
//     agent's socket receives it whichever node took the webhook. The
//     channel is Bus.Channel(); every payload is one JSON Event:
//
//     {"kind":"message","interaction_id":42,"channel":"sms","agent_id":7,
//     "message":{"id":9,"direction":"inbound","body":"hi","media_urls":[],
//     "status":"received","at":"2026-11-26T04:00:00Z"}}
//
//     kind is "message", "typing", "status" or "frame" (with "frame", a
//     desk protocol frame for every desk of agent_id). agent_id is 0 while
//     no agent has the interaction; the desk then shows it with the offer.
//
// The routing engine is called after the commit: a failure to enqueue is
// retried by the engine's rebuild from Postgres, never lost.
package channels
