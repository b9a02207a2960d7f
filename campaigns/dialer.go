package campaigns

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"switchboard"
	"switchboard/channels/twilio"
	"switchboard/interactions"
	"switchboard/routing"
)

// DialerConfig is a dialer's configuration.
type DialerConfig struct {
	Node     string // this process, recorded on every attempt it makes
	CallerID string // the bank's number, E.164, that calls and texts come from
	// CallerIDs are the bank's other numbers a campaign may call from
	// (Campaign.CallerID); any other is refused.
	CallerIDs []string
	PublicURL string // where Twilio reaches this server: webhooks are under PublicURL + "/campaigns/twilio/"
	Tick      time.Duration
	// AnswerWait is how long an answered call may wait for an agent before
	// it counts as abandoned (2 s, the regulators' measure).
	AnswerWait time.Duration
	// Decisions bounds the contacts one campaign looks at per tick, so a
	// long run of skips cannot starve the others.
	Decisions int
	Gate      Gate
	// Queue is the routing queue where answered calls of campaigns and
	// tasks without a queue of their own wait; "general" (the voice menu's
	// default queue) if empty.
	Queue string
}

func (c DialerConfig) withDefaults() DialerConfig {
	if c.Tick <= 0 {
		c.Tick = time.Second
	}
	if c.AnswerWait <= 0 {
		c.AnswerWait = 2 * time.Second
	}
	if c.Decisions <= 0 {
		c.Decisions = 200
	}
	if c.Gate == (Gate{}) {
		c.Gate = DefaultGate()
	}
	if c.Queue == "" {
		c.Queue = "general"
	}
	return c
}

// Calls is the voice side of the dialer, twiliovoice.Outbound in the
// server. The dialer decides whom to call, when and past which gates, and
// what an answer means; Calls says it to Twilio. It is an interface so that
// the voice wire (call parameters, webhook URLs, TwiML) stays with the
// voice channel, and campaigns need not import it.
type Calls interface {
	// Place calls to from from for attempt attemptID and returns the
	// call's SID. Twilio then posts /campaigns/twilio/answer and /status
	// with ?attempt=attemptID. A failure's text is recorded as the
	// attempt's reason.
	Place(ctx context.Context, attemptID int64, to, from string) (sid string, err error)
	// HangUp ends live call sid, saying say first if it is not empty.
	HangUp(ctx context.Context, sid, say string) error
	// Answer answers the answer webhook with the TwiML of an Answered
	// decision: waiting in interaction's conference if it is not 0, else
	// say (if not empty) and the hang-up.
	Answer(w http.ResponseWriter, interaction int64, say string) error
}

// Dialer runs campaigns: every process runs one, and they share the work
// through Postgres (see Store.claimNext). Its exported func fields connect
// it to routing; set them (or call UseRouting) before Run.
type Dialer struct {
	store  *Store
	cfg    DialerConfig
	twilio *twilio.Client // texts
	calls  Calls
	log    *slog.Logger
	engine *routing.Engine // set by UseRouting

	// Route hands an answered call, stored and queued in the answer's
	// commit, to routing, which offers it to a campaign agent with the
	// screen pop (interactions.Queued.Route).
	Route func(ctx context.Context, q interactions.Queued) error
	// Unroute withdraws an interaction whose caller is gone
	// (routing.Engine.Cancel).
	Unroute func(ctx context.Context, interactionID int64, reason string) error
	// Agents counts a campaign's free and busy agents; Store.Agents unless
	// set.
	Agents func(ctx context.Context, c *Campaign) (free, busy int, err error)
}

// NewDialer returns a dialer sending texts through tw (the real Twilio or
// the simulator) and placing calls through calls.
func NewDialer(store *Store, tw *twilio.Client, calls Calls, cfg DialerConfig, log *slog.Logger) *Dialer {
	d := &Dialer{store: store, cfg: cfg.withDefaults(), twilio: tw, calls: calls, log: log}
	d.Agents = store.Agents
	return d
}

// Run steps the dialer every Tick until ctx ends.
func (d *Dialer) Run(ctx context.Context) {
	t := time.NewTicker(d.cfg.Tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := d.Step(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("dialer step", "err", err)
		}
	}
}

// Step does one round: starts and ends campaigns on schedule, finds calls
// abandoned in the wait, sends the outreach rules' due texts, and then, for
// each running campaign, dials, texts or hands out preview contacts. It returns how many contacts it decided
// on (dialled, texted, offered or skipped).
func (d *Dialer) Step(ctx context.Context) (int, error) {
	if err := d.store.advance(ctx); err != nil {
		return 0, err
	}
	if err := d.sweepAbandoned(ctx); err != nil {
		return 0, err
	}
	running, err := d.store.List(ctx, Filter{States: []State{Running}})
	if err != nil {
		return 0, err
	}
	total, err := d.sendRuleTexts(ctx)
	if err != nil {
		return total, err
	}
	for _, c := range running {
		n, err := d.stepCampaign(ctx, c)
		total += n
		if err != nil {
			return total, fmt.Errorf("campaigns: campaign %d: %w", c.ID, err)
		}
	}
	return total, nil
}

func (d *Dialer) stepCampaign(ctx context.Context, c *Campaign) (int, error) {
	switch {
	case c.Channel == switchboard.ChannelSMS:
		return d.textCampaign(ctx, c)
	case c.DialMode == Preview:
		return d.previewCampaign(ctx, c)
	}
	f, err := d.figures(ctx, c)
	if err != nil {
		return 0, err
	}
	return d.dial(ctx, c, Lines(c.DialMode, f, c.Rules.AbandonCap))
}

// dial places up to lines calls for c, skipping (and recording) contacts the
// gates refuse.
func (d *Dialer) dial(ctx context.Context, c *Campaign, lines int) (int, error) {
	decided := 0
	for placed := 0; placed < lines && decided < d.cfg.Decisions; decided++ {
		cl, r, ok, err := d.store.claimNext(ctx, d.cfg.Gate, d.cfg.Node, c, 0)
		if err != nil || !ok {
			return decided, err
		}
		if r != ReasonNone {
			continue
		}
		placed++
		if err := d.place(ctx, c.CallerID, cl); err != nil {
			return decided + 1, err
		}
	}
	return decided, nil
}

func (d *Dialer) figures(ctx context.Context, c *Campaign) (Figures, error) {
	f, err := d.store.Figures(ctx, c.ID)
	if err != nil {
		return f, err
	}
	f.Free, f.Busy, err = d.Agents(ctx, c)
	return f, err
}
