package twiliovoice

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/twilio/twilio-go/twiml"

	"switchboard"
	"switchboard/channels"
	"switchboard/channels/twilio"
	"switchboard/interactions"
	"switchboard/phone"
	"switchboard/routing"
)

// Config is the voice channel's settings.
type Config struct {
	PublicURL string // SWITCHBOARD_PUBLIC_URL
	AuthToken string // TWILIO_AUTH_TOKEN
	From      string // TWILIO_FROM_NUMBER: the caller ID of callbacks and agent legs
	Region    string // default region of numbers; "CN" if empty
	Menu      Menu   // DefaultMenu() if it has no intents
	// AgentClient is the Twilio Client identity an agent's softphone
	// registers with; "agent_<id>" if nil.
	AgentClient func(agentID int64) string
	// PositionMessages tells a waiting caller how many callers arrived
	// before them in the queue (never anything that depends on the tier).
	PositionMessages bool
}

// Channel is the voice channel. It is safe for concurrent use.
type Channel struct {
	cfg    Config
	store  *interactions.Store
	twilio *twilio.Client
	router *routing.Engine
	bus    *channels.Bus
	log    *slog.Logger
}

// New returns the voice channel.
func New(cfg Config, store *interactions.Store, tw *twilio.Client, router *routing.Engine, bus *channels.Bus, log *slog.Logger) (*Channel, error) {
	if cfg.Region == "" {
		cfg.Region = "CN"
	}
	if len(cfg.Menu.Intents) == 0 {
		cfg.Menu = DefaultMenu()
	}
	if cfg.Menu.Timeout <= 0 {
		cfg.Menu.Timeout = 5
	}
	if cfg.AgentClient == nil {
		cfg.AgentClient = func(id int64) string { return "agent_" + strconv.FormatInt(id, 10) }
	}
	if err := cfg.Menu.validate(); err != nil {
		return nil, err
	}
	if cfg.PublicURL == "" || cfg.AuthToken == "" {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "twiliovoice: public URL and auth token are required")
	}
	if _, err := phone.Normalize(cfg.From, ""); err != nil {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "twiliovoice: From %q must be an E.164 number", cfg.From)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Channel{cfg: cfg, store: store, twilio: tw, router: router, bus: bus, log: log}, nil
}

// Handler serves every /channels/twilio/voice endpoint behind the
// signature check. A failure is answered by twilio.Errors: 400 for bad
// input, 403 for a CallSid that does not own the interaction; otherwise,
// on the endpoints a call follows, TwiML that apologises and hangs up, and
// on the status callbacks 503.
func (c *Channel) Handler() http.Handler {
	e := twilio.Errors{Log: c.log, Name: "voice"}
	mux := http.NewServeMux()
	mux.Handle("POST /channels/twilio/voice", e.ServeCall(c.handleIncoming))
	mux.Handle("POST /channels/twilio/voice/ivr", e.ServeCall(c.handleIVR))
	mux.Handle("POST /channels/twilio/voice/hold", e.ServeCall(c.handleHold))
	mux.Handle("POST /channels/twilio/voice/hold/key", e.ServeCall(c.handleHoldKey))
	mux.Handle("POST /channels/twilio/voice/bridge", e.ServeCall(c.handleBridge))
	mux.Handle("POST /channels/twilio/voice/status", e.Serve(c.handleStatus))
	mux.Handle("POST /channels/twilio/voice/conference", e.Serve(c.handleConference))
	return twilio.RequireSignature(c.cfg.AuthToken, c.cfg.PublicURL, c.log, mux)
}

var (
	callSID  = regexp.MustCompile(`^CA[0-9a-fA-F]{32}$`)
	digitsRe = regexp.MustCompile(`^[0-9*#]{0,16}$`)
)

// callForm is the part of a voice webhook every endpoint reads.
type callForm struct {
	CallSID     string
	From, To    string // E.164, or the raw caller ID when withheld
	Status      string
	Digits      string
	Interaction int64 // from our own callback URL; 0 on the first request
}

var callStatuses = map[string]bool{"queued": true, "initiated": true, "ringing": true, "in-progress": true,
	"completed": true, "busy": true, "failed": true, "no-answer": true, "canceled": true}

// parseCall checks a voice webhook strictly; anything malformed is
// ErrInvalid and changes nothing.
func (c *Channel) parseCall(r *http.Request) (callForm, error) {
	if err := r.ParseForm(); err != nil {
		return callForm{}, invalid("body is not a form")
	}
	return parseCallForm(r.PostForm, r.URL.Query(), c.cfg.Region)
}

func parseCallForm(f, q url.Values, region string) (callForm, error) {
	cf := callForm{CallSID: f.Get("CallSid"), Status: f.Get("CallStatus"), Digits: f.Get("Digits")}
	if !callSID.MatchString(cf.CallSID) {
		return callForm{}, invalid("CallSid is not a call SID")
	}
	if cf.Status != "" && !callStatuses[cf.Status] {
		return callForm{}, invalid("CallStatus %q is not a call status", clip(cf.Status))
	}
	if !digitsRe.MatchString(cf.Digits) {
		return callForm{}, invalid("Digits must be keypad keys")
	}
	cf.From = callerID(f.Get("From"), region)
	cf.To = callerID(f.Get("To"), region)
	if cf.From == "" {
		return callForm{}, invalid("From is not a number or caller ID")
	}
	if i := q.Get("i"); i != "" {
		n, err := strconv.ParseInt(i, 10, 64)
		if err != nil || n <= 0 {
			return callForm{}, invalid("i is not an interaction id")
		}
		cf.Interaction = n
	}
	return cf, nil
}

var withheld = regexp.MustCompile(`^(anonymous|unknown|restricted|private|client:[A-Za-z0-9_.-]{1,64})$`)

// callerID is the E.164 form of a number, the caller ID Twilio gives for a
// withheld number, or "" for anything else.
func callerID(raw, region string) string {
	if n, err := phone.Normalize(raw, region); err == nil {
		return n
	}
	if withheld.MatchString(raw) {
		return raw
	}
	return ""
}

func invalid(format string, args ...any) error {
	return switchboard.Errorf(switchboard.ErrInvalid, format, args...)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// writeTwiML answers a webhook with the TwiML of els.
func (c *Channel) writeTwiML(w http.ResponseWriter, els ...twiml.Element) error {
	x, err := twiml.Voice(els)
	if err != nil {
		c.log.Error("voice: render TwiML", "err", err)
		x = twilio.Document(twilio.Hangup)
	}
	return twilio.WriteTwiML(w, x)
}

// url is an absolute URL of one of our endpoints for interaction id.
func (c *Channel) url(path string, id int64, extra ...string) string {
	u := fmt.Sprintf("%s/channels/twilio/voice%s?i=%d", c.cfg.PublicURL, path, id)
	for i := 0; i+1 < len(extra); i += 2 {
		u += "&" + url.QueryEscape(extra[i]) + "=" + url.QueryEscape(extra[i+1])
	}
	return u
}
