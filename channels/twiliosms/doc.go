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
// Replies go out through Channel.Reply, which the agent desk calls; the
// message is stored first, then sent with a status callback to
// POST /channels/twilio/sms/status, which records queued, sent, delivered,
// undelivered or failed, never moving a message backwards.
//
// Customers' messages are published on the channels.Bus for the desk.
package twiliosms
