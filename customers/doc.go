// Package customers is the bank's customer model as the contact centre sees
// it: who a contact is (Identity, found by number or id), the unified
// customer view (the screen pop), the two-axis tiering policy and its
// set-wise recompute, customer search, and consent: every opt-out and
// opt-in (RecordConsent, into consent_changes and the customers holding the
// number) and whether a number may be texted (SMSOptedOut). The demo bank that fills an
// empty database is customers/demobank.
//
// # Who owns a number
//
// A number belongs to the customer whose main phone it is, the oldest if
// several; failing that, to the oldest whose alternative phone it is. An
// unknown number is an unidentified contact of tier mass. The rule is
// written once, as the Postgres function customer_by_phone
// (customer_by_phone.sql), which Prepare defines at start-up: ByPhone,
// Identify and the view's lookup by phone read through it, and so does
// the interactions package's sms_receive, which stores a text in one round trip.
//
// # Tiering
//
// A customer's value tier (private, vip, standard, mass) is the first tier,
// by rank, whose minimum assets under management AND minimum 12-month profit
// contribution the customer meets; mass catches everyone else. The activity
// layer (core, active, dormant) is the first layer whose conditions the
// customer meets: a transaction within max_idle_days and at least
// min_txn_90d transactions in the last 90 days; dormant catches everyone
// else, including customers who never transacted. The thresholds live in the
// tables tier_policy_value and tier_policy_activity, are changed with
// Service.SetValuePolicy and Service.SetActivityPolicy (switchboardctl tiers
// --set-value / --set-activity), and are applied to every customer at once
// by Service.Recompute, which writes only rows whose tier or layer changes
// and records each change in tier_changes in the same transaction.
//
// # Who sees what
//
// Every role may read a customer view, and every read writes an audit_log
// row (who, which customer, when, why). National-ID and account numbers are
// shown in full only to supervisors and administrators, and to a
// relationship manager for the customers in their own book: an RM looking at
// another RM's customer, an agent and a marketer see them masked down to the
// last four characters ("************1234"). An RM's own book is where the
// bank expects them to need the numbers (account opening, maturity calls);
// outside it they act as any agent does.
package customers
