// Package campaigns is Switchboard's outbound side: campaigns over a
// customer segment (or an uploaded list), the compliance gates every call
// and SMS passes first, the dialer that runs in every server process, SMS
// campaigns, outreach triggered by the bank's customer events, and results.
//
// Postgres is the system of record and the coordinator. The audience is one
// INSERT … SELECT into campaign_contacts. A dialer claims a due contact with
// FOR UPDATE SKIP LOCKED in the same transaction in which it runs the gates
// and records a live attempt; a unique partial index on live attempts per
// customer makes a second concurrent dial of one customer impossible, in any
// process and across campaigns and triggered tasks alike.
//
// Every gate runs in one function, Gate.Check, which returns the reason a
// contact may not be made now (or "" when it may); every skip is recorded in
// outreach_attempts with that reason. Calling windows are read in the
// customer's own time zone.
//
// The dialer decides; the voice channel speaks to Twilio. Calls are placed,
// hung up and answered through Calls (twiliovoice.Outbound), given what
// the dialer decided (Answered); texts go through the Twilio client, which
// retries the requests Twilio throttles.
//
// Time comes from an injected now func, so tests drive the dialer across
// time zones and window edges on a virtual clock.
package campaigns
