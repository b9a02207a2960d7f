package twiliosim

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Caller is how a simulated customer behaves on a call.
type Caller struct {
	From string // the customer's number
	// Digits answers successive <Gather>s: "1" presses 1, "" waits for
	// the timeout. When the list runs out the caller presses nothing.
	Digits []string
	// Patience is how long the caller waits to talk to someone before
	// hanging up; 2 minutes if zero.
	Patience time.Duration
	// TalkTime is how long the caller talks once bridged, then hangs up;
	// 30 s if zero.
	TalkTime time.Duration
	// NoAnswer makes the number not answer calls to it (a callback).
	NoAnswer bool
}

// Call is one call leg in the simulator.
type Call struct {
	SID, From, To, Direction string
	sim                      *Sim
	caller                   Caller
	statusCallback           string
	statusEvents             []string
	interrupt                chan interrupt
	done                     chan struct{}

	mu        sync.Mutex
	status    string
	heard     []string
	bridged   bool
	endReason string
	conf      string
	start     time.Time
	agent     bool // an agent's softphone: never impatient, never hangs up first
}

type interrupt struct {
	url, twiml string
	hangup     bool
	reason     string
}

func (s *Sim) newCall(from, to, direction string, caller Caller) *Call {
	if caller.Patience <= 0 {
		caller.Patience = 2 * time.Minute
	}
	if caller.TalkTime <= 0 {
		caller.TalkTime = 30 * time.Second
	}
	c := &Call{SID: NewSID("CA"), From: from, To: to, Direction: direction, sim: s, caller: caller,
		interrupt: make(chan interrupt, 4), done: make(chan struct{}), status: "queued", start: time.Now()}
	s.mu.Lock()
	s.calls[c.SID] = c
	s.mu.Unlock()
	return c
}

// Wait blocks until the call has ended and its status callback was sent.
func (c *Call) Wait(ctx context.Context) error {
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Heard is what the caller heard and did, in order: "say:…", "play:…",
// "gather:1", "conference:interaction-42", "hangup"…
func (c *Call) Heard() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.heard)
}

// Bridged reports whether the caller ever talked to someone in a conference.
func (c *Call) Bridged() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bridged
}

// Status is the call's current status (queued, ringing, in-progress,
// completed, no-answer…).
func (c *Call) Status() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.status
}

// EndReason says who ended the call: "caller-patience", "caller-done",
// "twiml-hangup", "twiml-end", "api", "conference-ended"…
func (c *Call) EndReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.endReason
}

func (c *Call) note(s string) {
	c.mu.Lock()
	c.heard = append(c.heard, s)
	c.mu.Unlock()
}

func (c *Call) setStatus(st string) {
	c.mu.Lock()
	c.status = st
	c.mu.Unlock()
}

// params are the parameters Twilio sends with every request about a call.
func (c *Call) params() map[string][]string {
	return map[string][]string{"CallSid": {c.SID}, "AccountSid": {c.sim.cfg.AccountSID}, "From": {c.From}, "To": {c.To},
		"Caller": {c.From}, "Called": {c.To}, "CallStatus": {c.Status()}, "ApiVersion": {"2010-04-01"}, "Direction": {c.Direction}}
}

func (c *Call) json() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return map[string]any{"sid": c.SID, "account_sid": c.sim.cfg.AccountSID, "parent_call_sid": nil, "to": c.To,
		"to_formatted": c.To, "from": c.From, "from_formatted": c.From, "status": c.status, "direction": c.Direction,
		"start_time": rfc2822(c.start), "end_time": nil, "duration": nil, "price": nil, "price_unit": "USD",
		"answered_by": nil, "api_version": "2010-04-01", "date_created": rfc2822(c.start), "date_updated": rfc2822(time.Now()),
		"queue_time": "0", "uri": c.sim.uri("Calls", c.SID)}
}

// Call makes a simulated customer call the bank's number. It returns at
// once; the call runs until the caller or the bank hangs up.
func (s *Sim) Call(caller Caller) *Call {
	c := s.newCall(caller.From, s.cfg.Number, "inbound", caller)
	c.statusCallback = s.cfg.VoiceStatusURL
	go s.runInbound(c)
	return c
}

// Phone registers how a simulated number behaves when the bank calls it.
func (s *Sim) Phone(caller Caller) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.phones == nil {
		s.phones = map[string]Caller{}
	}
	s.phones[caller.From] = caller
}

// Calls returns every call leg the simulator has seen.
func (s *Sim) Calls() []*Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Call, 0, len(s.calls))
	for _, c := range s.calls {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b *Call) int { return a.start.Compare(b.start) })
	return out
}

func (s *Sim) runInbound(c *Call) {
	c.setStatus("ringing")
	patience := time.AfterFunc(s.scale(c.caller.Patience), func() {
		if !c.Bridged() {
			select {
			case c.interrupt <- interrupt{hangup: true, reason: "caller-patience"}:
			case <-c.done:
			}
		}
	})
	defer patience.Stop()
	c.setStatus("in-progress")
	s.follow(c, s.cfg.VoiceURL, "")
}

// end finishes a call: its status, its conference seat, its callback.
func (s *Sim) end(c *Call, status, reason string) {
	c.mu.Lock()
	if c.endReason != "" {
		c.mu.Unlock()
		return
	}
	c.status, c.endReason = status, reason
	dur := time.Since(c.start)
	c.mu.Unlock()
	c.note("hangup:" + reason)
	if c.statusCallback != "" {
		form := c.params()
		form["CallDuration"] = []string{strconv.Itoa(int(dur.Seconds()))}
		form["CallbackSource"] = []string{"call-progress-events"}
		form["Timestamp"] = []string{rfc2822(time.Now())}
		form["SequenceNumber"] = []string{"1"}
		if _, _, err := s.post(context.Background(), c.statusCallback, form); err != nil {
			s.log.Warn("twiliosim: call status callback", "sid", c.SID, "err", err)
		}
	}
	close(c.done)
}
