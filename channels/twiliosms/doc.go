// Package twiliosms is the SMS channel over Twilio Programmable Messaging.
//
// POST /channels/twilio/sms takes a customer's text: the number is
// normalised to E.164 and identified, the text is appended to the number's
// open SMS interaction if its last message is within the thread window
// (default 24 h), or opens and routes a new one. The message is committed
// before Twilio gets its 200; a retried MessageSid changes nothing. MMS media
// URLs are kept with the message. STOP, START, HELP (and Twilio's synonyms)
// and 退订 / TD are consent changes, recorded in consent_changes with their
// time and source and obeyed by every later send.
//
// # Threading
//
// Storing a text is one call of the Postgres function sms_receive
// (interactions/texts.sql, defined by New at start-up through
// interactions.PrepareTexts, called by interactions.ReceiveTexts):
// duplicate check, sender,
// consent, thread and message in one statement and one round trip. Its
// rules, in order:
//
//   - Texts from one number are serialised by an advisory lock, taken
//     first: two that arrive together never open two threads, and a retry
//     racing its first copy finds it stored.
//   - A MessageSid already stored is a retry and changes nothing; so is a
//     keyword whose consent change is stored under that MessageSid.
//   - The sender is the customer who owns the number, by customers' rule
//     (customers.ByPhone); an unknown number is customer 0, tier mass.
//   - STOP and START (and their synonyms) record a consent change and set
//     the SMS opt-out of every customer who has the number, main or
//     alternative.
//   - The text joins the number's open thread: its newest SMS interaction
//     still queued, offered or connected whose last message (or, with
//     none, its start) is within the thread window.
//   - With no open thread, a keyword alone opens nothing: it is kept as
//     the consent change only, and HELP is answered all the same.
//   - Otherwise a reply to a campaign's text (the number's newest outbound
//     campaign text whose last message is within the window) reopens that
//     interaction: queued again in the channel's queue at the sender's
//     tier, linked to the sender if it was not, and routed like a new
//     thread.
//   - Otherwise the text opens a new inbound interaction, queued at the
//     sender's tier, in the sender's language, with the sender's RM
//     preferred by routing.
//   - The message is stored in the thread, as received.
//
// Texts that arrive while every writer is busy are committed together in
// one transaction (group commit, sms_receive_all), each still committed
// before its own 200, together with routing's queued record of each thread
// it opens. A group waits at most 200 ms for a lock (another transaction
// may hold several of its threads); then its texts are stored one by one.
//
// Replies go out through Channel.Reply, which the agent desk calls; the
// message is stored first, then sent with a status callback to
// POST /channels/twilio/sms/status, which records queued, sent, delivered,
// undelivered or failed, never moving a message backwards.
//
// Customers' messages are published on the channels.Bus for the desk.
package twiliosms
