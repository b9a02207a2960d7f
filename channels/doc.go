// Package channels turns provider traffic into interactions and messages:
// the parts the voice, SMS and chat adapters share. Each adapter lives in a
// sub-package named for its technology (twiliovoice, twiliosms, webchat);
// what they and the campaign dialer share of Twilio's wire (the signature
// check, the REST client, the webhooks' error writer, hand-written TwiML)
// is channels/twilio, and the local Twilio stand-in is twiliosim.
//
// The adapters store what arrives through the interactions package, which
// owns the interaction, event and message rows: an arriving contact is
// stored and queued in one commit (interactions.Store.StoreAndQueue) before
// the provider is answered, and provider ids make retries change nothing.
//
// What is shared here:
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
// The routing engine is handed each new contact after the commit: a failure
// there is retried by the engine's rebuild from Postgres, never lost.
package channels
