package twiliosms

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"switchboard"
	"switchboard/channels"
	"switchboard/channels/twilio"
	"switchboard/interactions"
	"switchboard/phone"
	"switchboard/routing"
)

// Config is the SMS channel's settings.
type Config struct {
	PublicURL    string        // SWITCHBOARD_PUBLIC_URL: the base Twilio signs against and calls back
	AuthToken    string        // TWILIO_AUTH_TOKEN
	From         string        // TWILIO_FROM_NUMBER: the bank's number, E.164
	Region       string        // default region for numbers without a country code; "CN" if empty
	ThreadWindow time.Duration // how long a quiet thread stays open to new texts; 24 h if zero
	Queue        string        // the routing queue of new threads; "general" if empty
	HelpText     string        // the answer to HELP
	OptOutText   string        // the confirmation of 退订 / TD (Twilio confirms STOP itself)
}

func (c Config) withDefaults() (Config, error) {
	if c.Region == "" {
		c.Region = "CN"
	}
	if c.ThreadWindow <= 0 {
		c.ThreadWindow = 24 * time.Hour
	}
	if c.Queue == "" {
		c.Queue = "general"
	}
	if c.HelpText == "" {
		c.HelpText = "Switchboard Bank: reply with your question and an agent will text you back. Reply STOP or 退订 to opt out. 回复退订取消短信。"
	}
	if c.OptOutText == "" {
		c.OptOutText = "您已退订本行短信服务。回复START可重新订阅。You have been unsubscribed; reply START to resubscribe."
	}
	if c.PublicURL == "" || c.AuthToken == "" {
		return c, switchboard.Errorf(switchboard.ErrInvalid, "twiliosms: public URL and auth token are required")
	}
	from, err := phone.Normalize(c.From, "")
	if err != nil {
		return c, switchboard.Errorf(switchboard.ErrInvalid, "twiliosms: From %q must be an E.164 number", c.From)
	}
	c.From = from
	return c, nil
}

// Channel is the SMS channel. It is safe for concurrent use.
type Channel struct {
	cfg    Config
	store  *interactions.Store
	twilio *twilio.Client
	router *routing.Engine
	bus    *channels.Bus
	log    *slog.Logger
	writer *groupWriter
}

// New returns the SMS channel. tw sends replies (twilio.NewClient),
// router routes new threads, bus carries customers' texts to the desk.
//
// New first defines in Postgres the functions that store texts
// (interactions.PrepareTexts), so that on every node they exist before the
// channel serves its first webhook. It needs the migrations applied and
// customers.Prepare run, as cmd/switchboard does before it wires the
// channels.
func New(ctx context.Context, cfg Config, store *interactions.Store, tw *twilio.Client, router *routing.Engine, bus *channels.Bus, log *slog.Logger) (*Channel, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := interactions.PrepareTexts(ctx, store.Pool()); err != nil {
		return nil, fmt.Errorf("twiliosms: %w", err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Channel{cfg: cfg, store: store, twilio: tw, router: router, bus: bus, log: log}
	c.writer = newGroupWriter(c.writeTexts)
	return c, nil
}

// Handler serves POST /channels/twilio/sms and /channels/twilio/sms/status,
// each behind the Twilio signature check. A failure is answered by
// twilio.Errors: 400 for a request Twilio should not retry, 503 for a
// failure on our side (Twilio retries per its connection overrides).
func (c *Channel) Handler() http.Handler {
	e := twilio.Errors{Log: c.log, Name: "sms"}
	mux := http.NewServeMux()
	mux.Handle("POST /channels/twilio/sms", e.Serve(c.handleInbound))
	mux.Handle("POST /channels/twilio/sms/status", e.Serve(c.handleStatus))
	return twilio.RequireSignature(c.cfg.AuthToken, c.cfg.PublicURL, c.log, mux)
}

func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return switchboard.Errorf(switchboard.ErrInvalid, "body is not a form")
	}
	return nil
}

func (c *Channel) statusCallback(messageID int64) string {
	return fmt.Sprintf("%s/channels/twilio/sms/status?m=%d", c.cfg.PublicURL, messageID)
}
