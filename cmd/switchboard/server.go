package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"switchboard/agentdesk"
	"switchboard/agents"
	"switchboard/api"
	"switchboard/campaigns"
	"switchboard/channels"
	"switchboard/channels/twiliosms"
	"switchboard/channels/twiliovoice"
	"switchboard/channels/webchat"
	"switchboard/cmd/internal/config"
	"switchboard/customers"
	"switchboard/pgdb"
	"switchboard/routing"
)

// Main is the whole server, wired by hand. Tests build one with NewMain, Run
// it on a free port, and Close it, exactly as the binary does.
type Main struct {
	Env config.Env
	Log *slog.Logger
	Now func() time.Time

	DB     *pgxpool.Pool
	Redis  *redis.Client
	Agents *agents.Store

	Routing   *routing.Engine
	Bus       *channels.Bus
	Customers *customers.Service
	SMS       *twiliosms.Channel
	Voice     *twiliovoice.Channel
	Chat      *webchat.Channel
	Desk      *agentdesk.Desk
	Campaigns *campaigns.Store
	Dialer    *campaigns.Dialer

	ln     net.Listener
	http   *http.Server
	cancel context.CancelFunc // stops the background loops
	loops  sync.WaitGroup     // the background loops
}

// NewMain returns an unstarted server.
func NewMain(env config.Env, log *slog.Logger) *Main {
	return &Main{Env: env, Log: log, Now: time.Now}
}

// Run opens Postgres and Redis, applies migrations and the packages'
// Postgres functions, wires every part and starts serving. It returns once the listener is open; Close stops it.
func (m *Main) Run(ctx context.Context) error {
	var err error
	if m.DB, err = pgdb.Open(ctx, m.Env.DatabaseURL); err != nil {
		return fmt.Errorf("DATABASE_URL: %w", err)
	}
	if err := pgdb.Migrate(ctx, m.DB, m.Log); err != nil {
		return err
	}
	if err := customers.Prepare(ctx, m.DB); err != nil {
		return err
	}
	if m.Redis, err = openRedis(ctx, m.Env.RedisURL); err != nil {
		return fmt.Errorf("REDIS_URL: %w", err)
	}
	m.Agents = agents.NewStore(m.DB, m.Env.SessionTTL, m.Now)
	m.Agents.LimitHashes(m.Env.Security.LoginHashes, 0)
	if err := m.wire(ctx); err != nil {
		return err
	}
	loops, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	if err := m.startLoops(loops); err != nil {
		return err
	}
	return m.serve(m.routes())
}

func (m *Main) serve(mux *http.ServeMux) error {
	ln, err := net.Listen("tcp", m.Env.Addr)
	if err != nil {
		return fmt.Errorf("SWITCHBOARD_ADDR: listen on %s: %w", m.Env.Addr, err)
	}
	m.ln = ln
	// Long-lived sockets are not traced as one span each.
	proxies := m.Env.Security.TrustedProxies
	h := otelhttp.NewHandler(accessLog(m.Log, proxies, securityHeaders(proxies, mux)), "http", otelhttp.WithFilter(func(r *http.Request) bool {
		return !strings.HasSuffix(r.URL.Path, "/ws")
	}))
	m.http = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn)}
	go func() {
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server stopped", "err", err)
		}
	}()
	return nil
}

// Addr is the address the server listens on (useful with port 0 in tests).
func (m *Main) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// Close stops accepting, lets in-flight requests finish for up to ten
// seconds, stops the background loops and closes the connections.
func (m *Main) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var errs []error
	if m.http != nil {
		errs = append(errs, m.http.Shutdown(ctx))
	}
	if m.cancel != nil {
		m.cancel()
		stopped := make(chan struct{})
		go func() { m.loops.Wait(); close(stopped) }()
		select {
		case <-stopped:
		case <-ctx.Done():
			errs = append(errs, errors.New("background loops did not stop in time"))
		}
	}
	if m.Redis != nil {
		errs = append(errs, m.Redis.Close())
	}
	if m.DB != nil {
		m.DB.Close()
	}
	return errors.Join(errs...)
}

// handleReady answers 200 when Postgres and Redis answer and every migration
// is applied, 503 with the reasons otherwise.
func (m *Main) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"postgres": "ok", "redis": "ok", "migrations": "ok"}
	status := http.StatusOK
	fail := func(name string, err error) { checks[name], status = err.Error(), http.StatusServiceUnavailable }
	if err := m.DB.Ping(ctx); err != nil {
		fail("postgres", err)
	} else if pending, err := pgdb.Pending(ctx, m.DB); err != nil {
		fail("migrations", err)
	} else if pending {
		fail("migrations", errors.New("pending"))
	}
	if err := m.Redis.Ping(ctx).Err(); err != nil {
		fail("redis", err)
	}
	api.JSON(w, status, checks)
}

func openRedis(ctx context.Context, rawURL string) (*redis.Client, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	// Redis 7.0 refuses these handshakes; they only add error spans.
	opt.DisableIdentity = true
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	rdb := redis.NewClient(opt)
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("connect to %s: %w", opt.Addr, err)
	}
	// No statements in spans: commands carry message bodies, phone numbers
	// and customer views as arguments, and a trace backend is no place
	// for a customer's data. Command names still show.
	tracing := redisotel.InstrumentTracing(rdb, redisotel.WithDBStatement(false))
	if err := errors.Join(tracing, redisotel.InstrumentMetrics(rdb)); err != nil {
		return nil, err
	}
	return rdb, nil
}
