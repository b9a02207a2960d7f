package webchat

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/redis/go-redis/v9"

	"switchboard"
	"switchboard/channels"
	"switchboard/interactions"
	"switchboard/internal/clientip"
	"switchboard/routing"
)

// Config is the chat channel's settings.
type Config struct {
	Key            []byte   // SWITCHBOARD_CHAT_KEY: signs customer and resume tokens; 32 bytes or more
	AllowedOrigins []string // SWITCHBOARD_CHAT_ORIGINS: scheme://host[:port] of pages that may embed the widget
	PublicURL      string   // where the widget connects back to
	Region         string   // default region of phone numbers; "CN" if empty
	Queue          string   // routing queue of chats; "general" if empty
	// NoAnswerAfter is how long a customer waits for an agent before being
	// offered to continue by SMS; 3 minutes if zero, never if negative.
	NoAnswerAfter time.Duration
	// ResumeFor is how long a resume token stays good; each resume gives
	// a fresh one. 2 hours if zero.
	ResumeFor time.Duration
	// Limits: connections per IP per minute, messages per IP per minute,
	// messages per customer per minute. Defaults 20, 120, 30.
	ConnsPerIP, MsgsPerIP, MsgsPerCustomer float64
	// Centre and RedisPrefix name the Redis keys of the limits, which every
	// node shares (keyspace.ChatLimit). Centre is "main" if empty.
	Centre, RedisPrefix string
	// ClientIP tells the client's address behind the trusted proxies
	// (SWITCHBOARD_TRUSTED_PROXIES); the zero value takes the peer's, which
	// behind a load balancer is the balancer's for every customer.
	ClientIP clientip.Resolver
	// SMS continues a chat by text when the customer accepts; nil disables
	// the offer. It is twiliosms.Channel.Send in production.
	SMS func(ctx context.Context, to, body string) (string, error)
}

// Channel is the chat channel. It is safe for concurrent use.
type Channel struct {
	cfg      Config
	store    *interactions.Store
	router   *routing.Engine
	bus      *channels.Bus
	log      *slog.Logger
	upgrader websocket.Upgrader
	now      func() time.Time

	connsPerIP, msgsPerIP, msgsPerCustomer *limit

	mu    sync.Mutex
	conns map[int64]map[*conn]struct{} // the sockets of each interaction on this node
}

// New returns the chat channel; rdb holds the rate limits.
func New(cfg Config, store *interactions.Store, router *routing.Engine, bus *channels.Bus, rdb redis.UniversalClient, log *slog.Logger) (*Channel, error) {
	if len(cfg.Key) < 32 {
		return nil, switchboard.Errorf(switchboard.ErrInvalid, "webchat: the chat key must be at least 32 bytes")
	}
	cfg = withDefaults(cfg)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lim := func(name string, perMinute float64, burst int) *limit {
		return newLimit(rdb, cfg.RedisPrefix, cfg.Centre, name, perMinute, burst, log)
	}
	c := &Channel{cfg: cfg, store: store, router: router, bus: bus, log: log, now: store.Now,
		connsPerIP: lim("conn-ip", cfg.ConnsPerIP, int(cfg.ConnsPerIP)/2+1), msgsPerIP: lim("msg-ip", cfg.MsgsPerIP, int(cfg.MsgsPerIP)/4+1),
		msgsPerCustomer: lim("msg-customer", cfg.MsgsPerCustomer, int(cfg.MsgsPerCustomer)/3+1), conns: map[int64]map[*conn]struct{}{}}
	c.upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024, WriteBufferPool: &sync.Pool{},
		HandshakeTimeout: 10 * time.Second, CheckOrigin: c.originAllowed}
	return c, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Region == "" {
		cfg.Region = "CN"
	}
	if cfg.Centre == "" {
		cfg.Centre = "main"
	}
	if cfg.Queue == "" {
		cfg.Queue = "general"
	}
	if cfg.NoAnswerAfter == 0 {
		cfg.NoAnswerAfter = 3 * time.Minute
	}
	if cfg.ResumeFor <= 0 {
		cfg.ResumeFor = 2 * time.Hour
	}
	if cfg.ConnsPerIP <= 0 {
		cfg.ConnsPerIP = 20
	}
	if cfg.MsgsPerIP <= 0 {
		cfg.MsgsPerIP = 120
	}
	if cfg.MsgsPerCustomer <= 0 {
		cfg.MsgsPerCustomer = 30
	}
	for i, o := range cfg.AllowedOrigins {
		cfg.AllowedOrigins[i] = strings.TrimRight(o, "/")
	}
	return cfg
}

// Handler serves /channels/chat/ws and /channels/chat/widget.js.
func (c *Channel) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /channels/chat/ws", c.handleSocket)
	mux.HandleFunc("GET /channels/chat/widget.js", c.handleWidget)
	return mux
}

// originAllowed is the allowlist: a browser always sends Origin on a
// WebSocket handshake, so a missing one is not a browser page of ours.
func (c *Channel) originAllowed(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o != "" && slices.Contains(c.cfg.AllowedOrigins, o)
}

// clientIP is the address the limits count against.
func (c *Channel) clientIP(r *http.Request) string {
	if a := c.cfg.ClientIP.Addr(r); a.IsValid() {
		return a.String()
	}
	return r.RemoteAddr
}

// Run delivers agents' messages and routing news to the sockets on this
// node until ctx ends, and forgets idle entries of the limits' local
// fallback.
func (c *Channel) Run(ctx context.Context) error {
	bus, err := c.bus.Subscribe(ctx)
	if err != nil {
		return err
	}
	evs, err := c.router.Subscribe(ctx)
	if err != nil {
		return err
	}
	sweep := time.NewTicker(time.Minute)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-bus:
			if !ok {
				return nil
			}
			c.fromBus(e)
		case e, ok := <-evs:
			if !ok {
				return nil
			}
			c.fromRouting(ctx, e)
		case now := <-sweep.C:
			for _, l := range []*limit{c.connsPerIP, c.msgsPerIP, c.msgsPerCustomer} {
				l.local.sweep(now)
			}
		}
	}
}

func (c *Channel) fromBus(e channels.Event) {
	if e.Channel != switchboard.ChannelChat {
		return
	}
	switch {
	case e.Kind == "message" && e.Message != nil && e.Message.Direction == switchboard.Outbound:
		c.deliver(e.InteractionID, outFrame{Type: "message", Message: e.Message})
	case e.Kind == "typing" && e.From == "agent":
		c.deliver(e.InteractionID, outFrame{Type: "typing", Typing: e.Typing})
	}
}

func (c *Channel) fromRouting(ctx context.Context, e routing.Event) {
	if e.Channel != "" && e.Channel != switchboard.ChannelChat {
		return
	}
	switch e.Kind {
	case routing.EventAccepted:
		var name string
		_ = c.store.Pool().QueryRow(ctx, `SELECT name FROM agents WHERE id = $1`, e.AgentID).Scan(&name)
		c.deliver(e.InteractionID, outFrame{Type: "agent_joined", Name: name})
	case routing.EventWrapUp:
		if e.Reason == "extended" {
			return // the agent took more wrap-up time: the chat closed already
		}
		c.deliver(e.InteractionID, outFrame{Type: "closed"})
	}
}

// deliver queues f to every socket of the interaction on this node.
func (c *Channel) deliver(id int64, f outFrame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.conns[id] {
		k.send(f)
	}
}

func (c *Channel) register(id int64, k *conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conns[id] == nil {
		c.conns[id] = map[*conn]struct{}{}
	}
	c.conns[id][k] = struct{}{}
}

func (c *Channel) unregister(id int64, k *conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.conns[id], k)
	if len(c.conns[id]) == 0 {
		delete(c.conns, id)
	}
}
