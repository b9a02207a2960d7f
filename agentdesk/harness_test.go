package agentdesk_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/agents"
	"switchboard/campaigns"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/internal/testworld"
	"switchboard/routing"
)

const origin = "http://desk.test"

// centre is one contact centre's shared state: Postgres and a Redis prefix.
// Each node on it is a separate Desk, engine and HTTP server, as separate
// processes would be.
type centre struct {
	t      testing.TB
	w      *testworld.World
	pool   *pgxpool.Pool
	agents *agents.Store
	sent   chan interactions.Message // what the replier delivered to "the customer"
	dialer *campaigns.Dialer         // for the nodes started after it is set
}

func newCentre(t testing.TB, rcfg routing.Config) *centre {
	t.Helper()
	w := testworld.New(t, testworld.Options{Centre: "t", Routing: rcfg, LogLevel: slog.LevelWarn,
		Queues: []testworld.Queue{{Name: "general", Title: "General", TitleZh: "综合"}, {Name: "wealth", Title: "Wealth", TitleZh: "财富"}}})
	return &centre{t: t, w: w, pool: w.Pool, agents: agents.NewStore(w.Pool, time.Hour, time.Now), sent: make(chan interactions.Message, 16)}
}

func (c *centre) exec(sql string, args ...any) {
	c.t.Helper()
	if _, err := c.pool.Exec(context.Background(), sql, args...); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
}

func (c *centre) count(sql string, args ...any) int {
	c.t.Helper()
	var n int
	if err := c.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

type node struct {
	engine *routing.Engine
	store  *interactions.Store
	desk   *agentdesk.Desk
	srv    *httptest.Server
}

// node starts one server process's worth of desk on the centre.
func (c *centre) node(cfg agentdesk.Config) *node {
	c.t.Helper()
	p := c.w.StartNode()
	cfg.PublicURL, cfg.Centre, cfg.RedisPrefix = origin, c.w.Centre, c.w.Prefix
	d, err := agentdesk.New(cfg, agentdesk.Deps{Pool: c.pool, Agents: c.agents, Engine: p.Engine,
		Customers: customers.NewService(c.pool, customers.Config{}), Bus: p.Bus, Redis: c.w.RDB,
		Tasks: campaigns.NewStore(c.pool, time.Now), Dialer: c.dialer,
		Repliers: agentdesk.Repliers{switchboard.ChannelSMS: c.replier(p.Store), switchboard.ChannelChat: c.replier(p.Store)}})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := d.Run(c.w.Ctx); err != nil {
		c.t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	c.t.Cleanup(srv.Close)
	return &node{engine: p.Engine, store: p.Store, desk: d, srv: srv}
}

// replier stores the reply as the SMS channel does and hands it to the test
// as "received by the customer".
func (c *centre) replier(store *interactions.Store) agentdesk.Replier {
	return func(ctx context.Context, agentID, id int64, body, cid string) (interactions.Message, error) {
		m := interactions.Message{InteractionID: id, Direction: switchboard.Outbound, AgentID: agentID, Body: body,
			ClientMsgID: cid, Status: "sent"}
		err := store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
			_, err := interactions.InsertMessage(ctx, tx, now, &m)
			return err
		})
		if err == nil {
			c.sent <- m
		}
		return m, err
	}
}

// agent creates a member of staff and returns the id and a session token.
func (c *centre) agent(username string, role switchboard.Role) (int64, string) {
	c.t.Helper()
	ctx := context.Background()
	a, err := c.agents.Create(ctx, agents.NewAgent{Username: username, Name: strings.ToUpper(username[:1]) + username[1:],
		Password: "password-" + username, Role: role, Tiers: switchboard.ValueTiers})
	if err != nil {
		c.t.Fatal(err)
	}
	s, err := c.agents.Login(ctx, username, "password-"+username)
	if err != nil {
		c.t.Fatal(err)
	}
	return a.ID, s.Token
}

// customer adds a customer of tier with rm as relationship manager.
func (c *centre) customer(name string, tier switchboard.ValueTier, rm int64, phone string) int64 {
	c.t.Helper()
	var id int64
	var rmID any
	if rm != 0 {
		rmID = rm
	}
	err := c.pool.QueryRow(context.Background(), `INSERT INTO customers (name, phone, value_tier, rm_id)
		VALUES ($1, $2, $3, $4) RETURNING id`, name, phone, tier, rmID).Scan(&id)
	if err != nil {
		c.t.Fatal(err)
	}
	return id
}

// arrive creates an SMS interaction from customer (0: unidentified) and
// queues it, as the SMS channel does.
func (c *centre) arrive(n *node, customer int64, tier switchboard.ValueTier, ivr ...string) int64 {
	c.t.Helper()
	ctx := context.Background()
	in := switchboard.Interaction{Channel: switchboard.ChannelSMS, Direction: switchboard.Inbound, State: switchboard.StateQueued,
		CustomerID: customer, Queue: "general", Tier: tier, From: "+8613800000001", To: "+8610955880", IVRPath: ivr}
	err := n.store.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		if err := interactions.Create(ctx, tx, now, &in, "zh", nil); err != nil {
			return err
		}
		m := interactions.Message{InteractionID: in.ID, Direction: switchboard.Inbound, Body: "hello from " + string(tier), Status: "received"}
		_, err := interactions.InsertMessage(ctx, tx, now, &m)
		return err
	})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := n.engine.Enqueue(ctx, routing.Task{InteractionID: in.ID, Channel: in.Channel, Queue: in.Queue, Tier: tier, CustomerID: customer}); err != nil {
		c.t.Fatal(err)
	}
	return in.ID
}

// desk is a test's WebSocket client.
type desk struct {
	t      testing.TB
	ws     *websocket.Conn
	frames chan frame
	seq    atomic.Int64
	held   []frame // pushes that arrived while call waited for its reply
}

type frame struct {
	V     int             `json:"v"`
	Type  string          `json:"type"`
	Re    string          `json:"re"`
	Data  json.RawMessage `json:"data"`
	Error *struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Temporary bool   `json:"temporary"`
	} `json:"error"`
}

func dial(t testing.TB, n *node, token string) *desk {
	t.Helper()
	ws, resp, err := dialRaw(n, token, origin)
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	d := &desk{t: t, ws: ws, frames: make(chan frame, 256)}
	go func() {
		defer close(d.frames)
		for {
			var f frame
			if err := ws.ReadJSON(&f); err != nil {
				return
			}
			d.frames <- f
		}
	}()
	t.Cleanup(func() { ws.Close() })
	d.expect("hello", nil)
	return d
}

func dialRaw(n *node, token, from string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{"Origin": {from}}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(n.srv.URL, "http")+"/agentdesk/ws", h)
}

// expect waits for the next frame of type typ (skipping others), decodes
// its data into v and returns the frame.
func (d *desk) expect(typ string, v any) frame {
	d.t.Helper()
	for i, f := range d.held {
		if f.Type == typ {
			d.held = append(d.held[:i:i], d.held[i+1:]...)
			if v != nil {
				if err := json.Unmarshal(f.Data, v); err != nil {
					d.t.Fatalf("%s: %v", typ, err)
				}
			}
			return f
		}
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-d.frames:
			if !ok {
				d.t.Fatalf("socket closed while waiting for %s", typ)
			}
			if f.Type != typ {
				continue
			}
			if v != nil {
				if err := json.Unmarshal(f.Data, v); err != nil {
					d.t.Fatalf("%s: %v", typ, err)
				}
			}
			return f
		case <-deadline:
			d.t.Fatalf("no %s frame in 10 s", typ)
		}
	}
}

// call sends a frame and waits for the reply naming it.
func (d *desk) call(typ string, data any) frame {
	d.t.Helper()
	id := fmt.Sprintf("t%d", d.seq.Add(1))
	raw, _ := json.Marshal(data)
	if err := d.ws.WriteJSON(map[string]any{"v": 1, "id": id, "type": typ, "data": json.RawMessage(raw)}); err != nil {
		d.t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case f, ok := <-d.frames:
			if !ok {
				d.t.Fatalf("socket closed while waiting for the reply to %s", typ)
			}
			if f.Re == id {
				return f
			}
			d.held = append(d.held, f)
		case <-deadline:
			d.t.Fatalf("no reply to %s in 10 s", typ)
		}
	}
}

// ok is call that fails the test on an error reply.
func (d *desk) ok(typ string, data any) json.RawMessage {
	d.t.Helper()
	f := d.call(typ, data)
	if f.Type != "ok" {
		d.t.Fatalf("%s: %s %+v", typ, f.Type, f.Error)
	}
	return f.Data
}

// offerJSON is the part of an offer frame the tests read.
type offerJSON struct {
	Interaction struct {
		ID      int64    `json:"id"`
		Tier    string   `json:"tier"`
		State   string   `json:"state"`
		IVRPath []string `json:"ivr_path"`
	} `json:"interaction"`
	CountdownMs int64 `json:"countdown_ms"`
	Pop         struct {
		Customer *struct {
			Customer struct {
				Name      string `json:"name"`
				ValueTier string `json:"value_tier"`
			} `json:"customer"`
			RM *struct {
				Name string `json:"name"`
			} `json:"rm"`
		} `json:"customer"`
		Unidentified bool `json:"unidentified"`
		Alerts       []struct {
			Kind string `json:"kind"`
		} `json:"alerts"`
		NextActions []struct {
			Code string `json:"code"`
		} `json:"next_actions"`
		Messages []struct {
			Body string `json:"body"`
		} `json:"messages"`
	} `json:"pop"`
}

func jsonUnmarshal(raw json.RawMessage, v any) error { return json.Unmarshal(raw, v) }

// bulkAgents inserts n agents with one shared hash and opens their
// sessions in one go (a password check per agent would take minutes).
func (c *centre) bulkAgents(prefix string, n int) []string {
	c.t.Helper()
	ctx := context.Background()
	rows, err := c.pool.Query(ctx, `INSERT INTO agents (username, name, password_hash, role, tiers)
		SELECT $1 || i, $1 || i, 'unusable', 'agent', '{private,vip,standard,mass}' FROM generate_series(1, $2) i RETURNING id`, prefix, n)
	if err != nil {
		c.t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		c.t.Fatal(err)
	}
	tokens, err := c.agents.OpenSessions(ctx, ids)
	if err != nil {
		c.t.Fatal(err)
	}
	return tokens
}
