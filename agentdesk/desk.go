package agentdesk

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/agents"
	"switchboard/campaigns"
	"switchboard/channels"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/internal/keyspace"
	"switchboard/routing"
)

// Config is the desk's settings; zero values get the defaults below.
type Config struct {
	PublicURL   string // the origin desks must come from, e.g. https://desk.bank.example
	Node        string // this process's name, shown to desks for support
	Centre      string // the contact centre's Redis hash tag, as routing's
	RedisPrefix string // put in front of the desk's Redis key names

	SendQueue int           // frames queued per desk before it counts as slow; default 64
	MaxFrame  int64         // largest frame a desk may send; default 16 KiB
	WriteWait time.Duration // per write; default 10 s
	PongWait  time.Duration // silence before a desk counts as gone; default 60 s
	PingEvery time.Duration // default PongWait * 9 / 10
	Wallboard time.Duration // how often supervisors get statistics; default 1 s
	// DeskGone is how long an available agent may have no open desk on any
	// node before routing puts them on break (desk_closed); default 45 s,
	// long enough for a desk to reconnect.
	DeskGone time.Duration
	// WrapUpExtend is how much more wrap-up time one "Extend" gives, up
	// to routing's WrapUpMax; default 60 s.
	WrapUpExtend time.Duration

	Log *slog.Logger
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.SendQueue <= 0 {
		c.SendQueue = 64
	}
	if c.MaxFrame <= 0 {
		c.MaxFrame = 16 << 10
	}
	if c.WriteWait <= 0 {
		c.WriteWait = 10 * time.Second
	}
	if c.PongWait <= 0 {
		c.PongWait = 60 * time.Second
	}
	if c.PingEvery <= 0 || c.PingEvery >= c.PongWait {
		c.PingEvery = c.PongWait * 9 / 10
	}
	if c.Wallboard <= 0 {
		c.Wallboard = time.Second
	}
	if c.DeskGone <= 0 {
		c.DeskGone = 45 * time.Second
	}
	if c.WrapUpExtend <= 0 {
		c.WrapUpExtend = time.Minute
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Centre == "" {
		c.Centre = "main"
	}
	if c.Node == "" {
		c.Node = "node-" + randomID()
	}
	return c
}

// Replier sends an agent's reply on one channel and returns the stored
// message; a resend with the same client message id is not sent again. The
// channel adapters provide them (their ReplyOnce).
type Replier func(ctx context.Context, agentID, interactionID int64, body, clientMsgID string) (interactions.Message, error)

// Repliers are the channels that take an agent's text replies, each with
// its Replier: the desk sends a reply with its interaction's channel's.
type Repliers map[switchboard.Channel]Replier

// Deps are the services the desk drives.
type Deps struct {
	Pool      *pgxpool.Pool
	Agents    *agents.Store
	Engine    *routing.Engine
	Customers *customers.Service
	Bus       *channels.Bus
	Redis     redis.UniversalClient // for which agents have a desk open on any node
	Repliers  Repliers
	// Typing shows the agent's typing indicator in the customer's chat;
	// nil when no chat channel runs here.
	Typing func(ctx context.Context, agentID, interactionID int64, typing bool) error
	// Hold holds or resumes a call's media; nil records hold and resume in
	// the history only (the simulator's call leg has no music on hold).
	Hold func(ctx context.Context, interactionID int64, hold bool) error
	// Tasks and Dialer give the desk its outbound tasks (list, dial,
	// outcome); nil when no campaigns run here.
	Tasks  *campaigns.Store
	Dialer *campaigns.Dialer
	// Softphone mints the access token of an agent's Twilio Voice JS SDK;
	// nil when no Twilio API key is configured, and then the desk's call
	// controls drive the call from the server only.
	Softphone func(agentID int64) (SoftphoneToken, error)
}

// SoftphoneToken is a Twilio access token for an agent's softphone.
type SoftphoneToken struct {
	Token    string    `json:"token"`
	Identity string    `json:"identity"`
	Expires  time.Time `json:"expires"`
}

// Desk serves the agents' and supervisors' WebSocket and pages. One Desk runs
// in every server process; Run must be running for desks to get events.
type Desk struct {
	cfg      Config
	deps     Deps
	keys     keyspace.Centre
	store    *interactions.Store
	hub      *hub
	upgrader websocket.Upgrader
	pops     *latencies
	handlers map[string]handler

	life context.Context // Run's context: desks close when it ends

	boardMu sync.Mutex
	board   []byte // the last wallboard frame, for supervisors who connect
	camps   campaignCache

	// beforeBreak, when set (by tests), runs as the presence sweep is about
	// to put an agent on break: where a desk opening races the sweep.
	beforeBreak atomic.Pointer[func(agentID int64)]
}

// New returns a Desk. It returns ErrInvalid for a PublicURL that is not an
// absolute http(s) URL, since the Origin check depends on it.
func New(cfg Config, deps Deps) (*Desk, error) {
	cfg = cfg.withDefaults()
	origin, err := originOf(cfg.PublicURL)
	if err != nil {
		return nil, err
	}
	d := &Desk{cfg: cfg, deps: deps, keys: keyspace.New(cfg.RedisPrefix, cfg.Centre), hub: newHub(),
		pops: newLatencies(8192), store: interactions.NewStore(deps.Pool, cfg.Now)}
	d.upgrader = websocket.Upgrader{
		ReadBufferSize: 1024, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{},
		HandshakeTimeout: 10 * time.Second,
		CheckOrigin: func(r *http.Request) bool {
			return strings.EqualFold(r.Header.Get("Origin"), origin)
		},
	}
	d.handlers = d.routes()
	d.life = context.Background()
	return d, nil
}

// originOf is scheme://host[:port] of a public URL, as browsers send it.
func originOf(public string) (string, error) {
	u, err := url.Parse(public)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "agentdesk: public URL %q is not an absolute http(s) URL", public)
	}
	return u.Scheme + "://" + u.Host, nil
}

func randomID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Handler returns the desk's routes under /agentdesk/: the socket, the pages
// and the protected statistics; and the site's /favicon.ico.
func (d *Desk) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /agentdesk/ws", d.serveWS)
	mux.HandleFunc("GET /agentdesk/debug/stats", d.serveStats)
	mux.HandleFunc("GET /agentdesk/voice-token", d.serveVoiceToken)
	p := pages(d.deps.Softphone != nil)
	mux.Handle("GET /agentdesk/", p)
	mux.Handle("GET /favicon.ico", p)
	return mux
}

// serveWS authenticates the session, upgrades, and serves the desk until it
// goes away.
func (d *Desk) serveWS(w http.ResponseWriter, r *http.Request) {
	token := agents.SessionToken(r)
	sess, err := d.deps.Agents.Check(r.Context(), token)
	if err != nil {
		http.Error(w, "agentdesk: "+switchboard.ErrorMessage(err), http.StatusUnauthorized)
		return
	}
	a := sess.Agent
	ws, err := d.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := &client{agent: a, token: token, session: agents.SessionKey(token), ws: ws,
		send: make(chan []byte, d.cfg.SendQueue), gone: make(chan struct{})}
	d.hub.add(c)
	defer d.hub.remove(c)
	defer c.disarm()
	// Armed after joining the hub, so that a session ended meanwhile is
	// either noticed here or closes the desk through the hub.
	d.armExpiry(c, sess.ExpiresAt)
	if err := d.recheck(r.Context(), c); errors.Is(err, switchboard.ErrUnauthorized) {
		return
	}
	if err := d.markSeen(r.Context(), a.ID); err != nil {
		d.cfg.Log.Warn("agentdesk: mark desk seen", "agent", a.ID, "err", err)
	}
	// Register before the resync, so nothing published meanwhile is missed;
	// the desk drops what it sees twice by interaction and message id.
	c.enqueue(encode(push("hello", hello{Agent: agentInfo(a), Node: d.cfg.Node, Version: Version,
		ServerTime: d.cfg.Now().UTC(), Softphone: d.softphone()})))
	ctx, cancel := context.WithCancel(d.life)
	defer cancel()
	go d.resync(ctx, c, "")
	err = c.run(ctx, d.cfg, func(ctx context.Context, f inFrame) { d.handle(ctx, c, f) })
	d.cfg.Log.Debug("agentdesk: desk closed", "agent", a.ID, "reason", c.reason, "err", err)
}

type hello struct {
	Agent      agentJSON `json:"agent"`
	Node       string    `json:"node"`
	Version    int       `json:"version"`
	ServerTime time.Time `json:"server_time"`
	Softphone  string    `json:"softphone"` // "twilio" or "server"
}

type agentJSON struct {
	ID       int64    `json:"id"`
	Username string   `json:"username"`
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Tiers    []string `json:"tiers"`
}

func agentInfo(a *switchboard.Agent) agentJSON {
	tiers := make([]string, 0, len(a.Tiers))
	for _, t := range a.Tiers {
		tiers = append(tiers, string(t))
	}
	return agentJSON{ID: a.ID, Username: a.Username, Name: a.Name, Role: string(a.Role), Tiers: tiers}
}

// logError logs an internal failure under a fresh id and returns the id.
func (d *Desk) logError(ctx context.Context, msg string, err error, args ...any) string {
	id := randomID()
	d.cfg.Log.ErrorContext(ctx, msg, append(args, "error_id", id, "err", err)...)
	return id
}

// String names the desk for logs.
func (d *Desk) String() string { return fmt.Sprintf("agentdesk(%s)", d.cfg.Node) }
