package campaigns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/customers"
)

// Reason is why a contact may not be made now. The empty reason means it
// may.
type Reason string

const (
	ReasonNone          Reason = ""
	ReasonNoPhone       Reason = "no_phone"
	ReasonDNC           Reason = "dnc"            // the number is on the do-not-call list
	ReasonDoNotCall     Reason = "do_not_call"    // the customer is marked do-not-call
	ReasonOptedOut      Reason = "opted_out"      // opted out of calls or texts (STOP, 退订, …)
	ReasonNotRunning    Reason = "not_running"    // the campaign is not running
	ReasonMaxAttempts   Reason = "max_attempts"   // the campaign's attempts are used up
	ReasonOutsideWindow Reason = "outside_window" // outside the window in the customer's time zone
	ReasonHoliday       Reason = "holiday"
	ReasonFrequencyCap  Reason = "frequency_cap" // contacted by marketing too recently
	ReasonInProgress    Reason = "in_progress"   // another dial or text to the customer is live
	ReasonBadZone       Reason = "bad_time_zone"
)

// Request is one contact a dialer, a sender or an agent wants to make.
type Request struct {
	CustomerID int64
	Phone      string
	Channel    switchboard.Channel
	// Marketing contacts count against the frequency cap; a relationship
	// manager's service call about the customer's own event does not.
	Marketing bool
	Campaign  *Campaign // nil for a triggered task
	Attempts  int       // attempts already made for this contact
	// Callback is a call the customer asked for (a callback disposition):
	// it is not unsolicited, so the frequency cap does not hold it back.
	// Every other gate, attempts included, still applies.
	Callback bool
}

// Gate holds the compliance rules every call and every SMS passes first.
type Gate struct {
	// FrequencyCap is how many marketing contacts one customer may get in
	// FrequencyWindow, across all campaigns (default one in seven days).
	FrequencyCap    int
	FrequencyWindow time.Duration
}

// DefaultGate is one marketing contact per customer per seven days.
func DefaultGate() Gate { return Gate{FrequencyCap: 1, FrequencyWindow: 7 * 24 * time.Hour} }

type subject struct {
	zone, region                string
	dncFlag, optCall, optSMS    bool
	listed, optedByNumber, live bool
	recent                      int
	holidays                    []string
}

// Check returns why req may not be made at now, or ReasonNone. It reads in
// q, which should be the transaction that records the attempt, so the check
// and the record are one step.
func (g Gate) Check(ctx context.Context, q pgx.Tx, now time.Time, req Request) (Reason, error) {
	r, _, err := g.check(ctx, q, now, req)
	return r, err
}

// check is Check that also returns, for a closed window, when it opens next
// for this customer.
func (g Gate) check(ctx context.Context, q pgx.Tx, now time.Time, req Request) (Reason, time.Time, error) {
	if req.Phone == "" {
		return ReasonNoPhone, time.Time{}, nil
	}
	s, err := g.load(ctx, q, now, req)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("campaigns: gate for customer %d: %w", req.CustomerID, err)
	}
	r, next := s.verdict(g, now, req)
	return r, next, nil
}

func (s subject) verdict(g Gate, now time.Time, req Request) (Reason, time.Time) {
	var never time.Time
	w, region := DefaultWindow(), s.region
	if req.Campaign != nil {
		w = req.Campaign.Window
	}
	switch {
	case s.listed:
		return ReasonDNC, never
	case s.dncFlag:
		return ReasonDoNotCall, never
	case req.Channel == switchboard.ChannelVoice && (s.optCall || s.optedByNumber):
		return ReasonOptedOut, never
	case req.Channel == switchboard.ChannelSMS && (s.optSMS || s.optedByNumber):
		return ReasonOptedOut, never
	case req.Campaign != nil && req.Campaign.State != Running:
		return ReasonNotRunning, never
	case req.Campaign != nil && req.Attempts >= req.Campaign.Rules.MaxAttempts:
		return ReasonMaxAttempts, never
	case s.live:
		return ReasonInProgress, now.Add(10 * time.Minute)
	case req.Marketing && !req.Callback && s.recent >= max(g.FrequencyCap, 1):
		return ReasonFrequencyCap, now.Add(24 * time.Hour)
	}
	loc, err := Zone(s.zone)
	if err != nil {
		return ReasonBadZone, never
	}
	hol := func(_, date string) bool { return slices.Contains(s.holidays, date) }
	if hol(region, now.In(loc).Format(time.DateOnly)) {
		return ReasonHoliday, w.Next(now, loc, region, hol)
	}
	if !w.Open(now, loc, region, hol) {
		return ReasonOutsideWindow, w.Next(now, loc, region, hol)
	}
	return ReasonNone, never
}

func (g Gate) load(ctx context.Context, q pgx.Tx, now time.Time, req Request) (subject, error) {
	var s subject
	kind := "call"
	if req.Channel == switchboard.ChannelSMS {
		kind = "sms"
	}
	err := q.QueryRow(ctx, `SELECT c.time_zone, c.region, c.do_not_call, c.opt_out_call, c.opt_out_sms,
		EXISTS (SELECT 1 FROM dnc WHERE dnc.phone = $2),
		coalesce((SELECT opted_out FROM consent_changes WHERE phone = $2 AND kind IN ($5, 'dnc')
			ORDER BY at DESC, id DESC LIMIT 1), false),
		EXISTS (SELECT 1 FROM outreach_attempts a WHERE a.customer_id = c.id AND a.live),
		(SELECT count(*) FROM outreach_attempts a WHERE a.customer_id = c.id AND a.marketing
			AND a.result IN ('answered', 'connected', 'voicemail', 'sent', 'delivered') AND a.at > $3),
		ARRAY(SELECT to_char(day, 'YYYY-MM-DD') FROM holidays
			WHERE region IN ('', c.region) AND day BETWEEN ($4::date - 2) AND ($4::date + 14))
		FROM customers c WHERE c.id = $1`,
		req.CustomerID, req.Phone, now.Add(-g.window()), now, kind).Scan(&s.zone, &s.region, &s.dncFlag, &s.optCall,
		&s.optSMS, &s.listed, &s.optedByNumber, &s.live, &s.recent, &s.holidays)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, switchboard.Errorf(switchboard.ErrNotFound, "no customer %d", req.CustomerID)
	}
	if err != nil || req.Channel != switchboard.ChannelSMS {
		return s, err
	}
	// A STOP or 退订 from a number, even one no customer holds, is obeyed.
	out, err := customers.SMSOptedOut(ctx, q, req.Phone)
	s.optedByNumber = s.optedByNumber || out
	return s, err
}

func (g Gate) window() time.Duration {
	if g.FrequencyWindow <= 0 {
		return 7 * 24 * time.Hour
	}
	return g.FrequencyWindow
}
