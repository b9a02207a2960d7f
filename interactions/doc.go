// Package interactions keeps the contact centre's record of every
// conversation: the interactions table (one row per call, SMS thread or
// chat), interaction_events (its history, one row per change) and
// messages (the texts of SMS threads and chats). It is the one package that
// writes them; the channels, the desk, the campaigns and the demo bank call
// it. A customer's text is stored in one round trip by the Postgres
// function sms_receive_all (texts.sql, defined at start-up by PrepareTexts
// and called by ReceiveTexts), which holds the SMS threading rules; the SMS
// channel calls it inside StoreAndQueue.
//
// # One commit
//
// A contact is stored whole or not at all, and before the provider (Twilio,
// the chat widget) is answered: the interaction row, its first event and
// its first message go in one transaction (Store.InTx). An interaction that
// waits for an agent also gets routing's queued record in that same
// transaction: StoreAndQueue runs the caller's writes, then writes
// routing's record of each task they return, then commits, so no committed
// interaction is queued without its place in routing. Handing it to Redis
// (Queued.Route) comes after the commit, when the caller chooses: a failure
// there loses nothing, because routing rebuilds its queues from Postgres.
// Every channel and the campaign dialer queue through StoreAndQueue.
//
// # Idempotency
//
// Provider ids are unique in Postgres: the CallSid of a call
// (interactions.provider_sid), the MessageSid of a text
// (messages.provider_sid) and the chat widget's or the desk's client
// message id within an interaction (messages.client_msg_id). A retried
// webhook or a resent frame therefore finds its first copy (BySID,
// InsertMessage's dup) and changes nothing; StoreReply makes a resent
// reply of an agent return the stored message instead of sending twice.
//
// # Routing's records
//
// The routing engine writes its own decisions (queued, offered, accepted,
// wrap-up, done, transferred, overflowed, abandoned) to these tables, in
// routing/persist.go, rebuild.go and reconcile.go: they are group-committed
// with its other records and ordered by its decision numbers, which only
// routing knows. This package imports routing (StoreAndQueue needs its
// Prepare, RecordQueued and Route), so routing cannot import this package
// without a cycle; the kinds routing writes are named here too (KindQueued
// and the rest), for the readers, and must stay equal to routing's.
//
// The functions that take a pgx.Tx belong inside the caller's transaction;
// those that take a pgdb.Querier also read from the pool. All are safe for
// concurrent use.
package interactions
