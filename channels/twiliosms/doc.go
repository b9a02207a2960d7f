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
// Storing a text is one call of the sms_receive Postgres function (migration
// 00021): duplicate check, customer, consent, thread and message in one
// statement and one round trip. Texts that arrive while every writer is busy
// are committed together in one transaction (group commit), each still
// committed before its own 200; texts from one number are serialised by an
// advisory lock, so two that arrive together never open two threads.
//
// Replies go out through Channel.Reply, which the agent desk calls; the
// message is stored first, then sent with a status callback to
// POST /channels/twilio/sms/status, which records queued, sent, delivered,
// undelivered or failed, never moving a message backwards.
//
// Customers' messages are published on the channels.Bus for the desk.
package twiliosms
