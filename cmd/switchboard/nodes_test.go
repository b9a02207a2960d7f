package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/agents"
	"switchboard/channels/twiliosim"
	"switchboard/internal/testenv"
	"switchboard/pgdb"
)

// buildServer builds the switchboard command into a temporary directory.
// Without -race: the processes are the system under test, not the test's
// own code, and they start several times faster.
func buildServer(t *testing.T) string {
	t.Helper()
	start := time.Now()
	bin := filepath.Join(t.TempDir(), "switchboard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("server binary built in %v", time.Since(start).Round(time.Millisecond))
	return bin
}

// lockedBuffer collects a process's log lines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is one switchboard server running as its own OS process.
type process struct {
	name, base string
	cmd        *exec.Cmd
	log        *lockedBuffer
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess runs the server binary with env plus its own address and
// public URL. It is stopped when the test ends; its log goes to the test
// log if the test failed.
func startProcess(t *testing.T, bin, name, addr string, env map[string]string) *process {
	t.Helper()
	p := &process{name: name, base: "http://" + addr, log: &lockedBuffer{}}
	p.cmd = exec.Command(bin)
	p.cmd.Env = os.Environ()
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Env = append(p.cmd.Env, "SWITCHBOARD_ADDR="+addr, "SWITCHBOARD_PUBLIC_URL="+p.base)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { p.cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			p.cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("log of process %s (pid %d):\n%s", p.name, p.cmd.Process.Pid, p.log.String())
		}
	})
	return p
}

// waitReady waits until the process answers /readyz with 200.
func (p *process) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for time.Now().Before(deadline) {
		if p.cmd.ProcessState != nil {
			break
		}
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("process %s never became ready:\n%s", p.name, p.log.String())
}

// frame is any frame from the server.
type frame struct {
	Type  string          `json:"type"`
	Re    string          `json:"re"`
	Data  json.RawMessage `json:"data"`
	Error *struct {
		Code, Message string
	} `json:"error"`
}

// deskClient speaks the desk protocol over a real socket to one process.
type deskClient struct {
	t       *testing.T
	ws      *websocket.Conn
	seq     int
	pending []frame // pushes read while waiting for a reply, not yet expected
	seen    []frame // every push read on this socket
}

func dialDesk(t *testing.T, p *process, token string) *deskClient {
	t.Helper()
	h := http.Header{"Origin": {p.base}, "Authorization": {"Bearer " + token}}
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(p.base, "http")+"/agentdesk/ws", h)
	if err != nil {
		t.Fatalf("desk to %s: %v", p.name, err)
	}
	t.Cleanup(func() { ws.Close() })
	return &deskClient{t: t, ws: ws}
}

func (d *deskClient) read(timeout time.Duration) (frame, error) {
	d.ws.SetReadDeadline(time.Now().Add(timeout))
	var f frame
	err := d.ws.ReadJSON(&f)
	return f, err
}

// expect reads until a push of type typ and decodes its data into v.
func (d *deskClient) expect(typ string, v any) {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var f frame
		if len(d.pending) > 0 {
			f, d.pending = d.pending[0], d.pending[1:]
		} else {
			var err error
			if f, err = d.read(time.Until(deadline)); err != nil {
				d.t.Fatalf("waiting for %s: %v", typ, err)
			}
			d.seen = append(d.seen, f)
		}
		if f.Type == typ && f.Re == "" {
			if v != nil {
				if err := json.Unmarshal(f.Data, v); err != nil {
					d.t.Fatalf("%s: %v", typ, err)
				}
			}
			return
		}
	}
	d.t.Fatalf("no %s frame in time", typ)
}

// ok sends a frame and waits for its "ok" reply, decoded into v.
func (d *deskClient) ok(typ string, data, v any) {
	d.t.Helper()
	d.seq++
	id := "c" + strconv.Itoa(d.seq)
	if err := d.ws.WriteJSON(map[string]any{"v": 1, "id": id, "type": typ, "data": data}); err != nil {
		d.t.Fatal(err)
	}
	for {
		f, err := d.read(20 * time.Second)
		if err != nil {
			d.t.Fatalf("waiting for the reply to %s: %v", typ, err)
		}
		if f.Re != id {
			d.seen = append(d.seen, f)
			d.pending = append(d.pending, f)
			continue
		}
		if f.Type != "ok" {
			d.t.Fatalf("%s answered %s %+v", typ, f.Type, f.Error)
		}
		if v != nil {
			json.Unmarshal(f.Data, v)
		}
		return
	}
}

type liveJSON struct {
	Interaction struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
		Tier  string `json:"tier"`
	} `json:"interaction"`
	Pop struct {
		Messages []struct {
			ID        int64  `json:"id"`
			Direction string `json:"direction"`
			Body      string `json:"body"`
		} `json:"messages"`
	} `json:"pop"`
}

// nodeCentre is two server processes on one database and one Redis prefix,
// with the Twilio simulator as their Twilio; texts arrive at node b.
type nodeCentre struct {
	a, b *process
	sim  *twiliosim.Sim
	pool *pgxpool.Pool     // the test's own connections, for seeding and checks
	vars map[string]string // the processes' environment, less their addresses
}

// env is the processes' environment as KEY=value lines on top of the
// test's own, for another command run against the same services.
func (c *nodeCentre) env() []string {
	env := os.Environ()
	for k, v := range c.vars {
		env = append(env, k+"="+v)
	}
	return env
}

func startNodes(t *testing.T) *nodeCentre {
	t.Helper()
	return startNodesAnswering(t, nil)
}

// startNodesAnswering is startNodes with the simulator answering the
// bank's outbound calls per answering (nil: as people).
func startNodesAnswering(t *testing.T, answering *twiliosim.Answering) *nodeCentre {
	t.Helper()
	bin := buildServer(t)
	const sid, token, number = "ACnodes00000000000000000000000001", "nodesauthtoken01", "+8610955880"
	addrA, addrB := freeAddr(t), freeAddr(t)
	sim := twiliosim.New(twiliosim.Config{AccountSID: sid, AuthToken: token, Number: number,
		SMSURL: "http://" + addrB + "/channels/twilio/sms"})
	handler := sim.Handler()
	if answering != nil {
		handler = sim.AnsweringHandler(*answering)
	}
	simSrv := httptest.NewServer(handler)
	t.Cleanup(simSrv.Close)
	_, prefix := testenv.MustRedis(t)
	env := map[string]string{"DATABASE_URL": testenv.MustCreateDB(t), "REDIS_URL": testenv.RedisURL(),
		"SWITCHBOARD_REDIS_PREFIX": prefix, "TWILIO_ACCOUNT_SID": sid, "TWILIO_AUTH_TOKEN": token,
		"TWILIO_FROM_NUMBER": number, "TWILIO_API_URL": simSrv.URL, "SWITCHBOARD_LOG_LEVEL": "info",
		"SWITCHBOARD_CHAT_KEY": "test-chat-key-test-chat-key-test-chat-key"}
	c := &nodeCentre{a: startProcess(t, bin, "a", addrA, env), b: startProcess(t, bin, "b", addrB, env), sim: sim, vars: env}
	c.a.waitReady(t)
	c.b.waitReady(t)
	pool, err := pgdb.Open(context.Background(), env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	c.pool = pool
	return c
}

func (c *nodeCentre) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := c.pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// staff creates a member of staff and signs in at process p.
func (c *nodeCentre) staff(t *testing.T, p *process, username string, role switchboard.Role) (int64, string) {
	t.Helper()
	a, err := agents.NewStore(c.pool, time.Hour, time.Now).Create(context.Background(), agents.NewAgent{Username: username,
		Name: strings.ToUpper(username[:1]) + username[1:], Password: "password-" + username, Role: role, Tiers: switchboard.ValueTiers})
	if err != nil {
		t.Fatal(err)
	}
	code, body := do(t, "POST", p.base+"/api/v1/login", "", map[string]string{"username": username, "password": "password-" + username})
	if code != 200 {
		t.Fatalf("login at %s = %d %v", p.name, code, body)
	}
	return a.ID, body["token"].(string)
}

// TestTwoServerProcesses runs the desk protocol across two OS processes of
// the server: the agent's desk is on process a while the customer's text
// arrives, signed, at process b; the offer reaches the desk through Redis,
// the agent accepts and replies, the customer's phone gets the reply; the
// desk reconnects to b and gets the live conversation exactly once, and
// wraps up there. Back on a, a declined offer returns to the queue and is
// offered again, so nothing is lost.
func TestTwoServerProcesses(t *testing.T) {
	c := startNodes(t)
	rm, _ := c.staff(t, c.a, "wang", switchboard.RoleRM)
	agentID, token := c.staff(t, c.a, "li", switchboard.RoleAgent)
	const phone = "+8613912345678"
	c.exec(t, `INSERT INTO queues (name, title, title_zh) VALUES ('general', 'General', '综合') ON CONFLICT DO NOTHING`)
	c.exec(t, `INSERT INTO customers (name, name_zh, phone, value_tier, activity_layer, rm_id) VALUES ('Zhang Wei', '张伟', $1, 'vip', 'active', $2)`, phone, rm)

	var helloA, helloB struct {
		Node string `json:"node"`
	}
	d := dialDesk(t, c.a, token)
	d.expect("hello", &helloA)
	d.expect("sync", nil)
	d.ok("set_state", map[string]any{"state": "available"}, nil)

	ctx := context.Background()
	if _, err := c.sim.Text(ctx, phone, "Hello, is my card blocked?"); err != nil {
		t.Fatal(err)
	}
	var o liveJSON
	d.expect("offer", &o)
	id := o.Interaction.ID
	if o.Interaction.Tier != "vip" || len(o.Pop.Messages) != 1 {
		t.Fatalf("offer %+v, want the VIP text", o)
	}
	d.ok("accept", map[string]any{"interaction_id": id}, nil)
	const reply = "Good afternoon Mr Zhang, your card is active."
	d.ok("send", map[string]any{"interaction_id": id, "body": reply, "client_msg_id": "m-1"}, nil)
	waitInbox(t, c.sim, phone, reply)

	// The desk moves to the other process: sync has the conversation once,
	// with both messages once, and no offer.
	d.ws.Close()
	d = dialDesk(t, c.b, token)
	d.expect("hello", &helloB)
	if helloA.Node == helloB.Node || helloA.Node == "" {
		t.Fatalf("nodes %q and %q: want two processes", helloA.Node, helloB.Node)
	}
	var sync struct {
		Offers       []liveJSON `json:"offers"`
		Interactions []liveJSON `json:"interactions"`
	}
	d.expect("sync", &sync)
	if len(sync.Offers) != 0 || len(sync.Interactions) != 1 || sync.Interactions[0].Interaction.ID != id {
		t.Fatalf("sync after reconnect: %+v, want interaction %d once and no offer", sync, id)
	}
	var bodies []string
	for _, m := range sync.Interactions[0].Pop.Messages {
		bodies = append(bodies, m.Direction+": "+m.Body)
	}
	if want := []string{"inbound: Hello, is my card blocked?", "outbound: " + reply}; strings.Join(bodies, "|") != strings.Join(want, "|") {
		t.Fatalf("messages after reconnect %q, want %q", bodies, want)
	}
	d.ok("wrapup", map[string]any{"interaction_id": id, "disposition": "enquiry", "notes": "card was not blocked"}, nil)
	var disp, state string
	c.pool.QueryRow(ctx, `SELECT COALESCE(disposition, ''), state FROM interactions WHERE id = $1`, id).Scan(&disp, &state)
	if disp != "enquiry" {
		t.Fatalf("after wrap-up: disposition %q state %q", disp, state)
	}
	for _, f := range d.seen {
		if f.Type == "offer" || f.Type == "message" {
			t.Fatalf("the reconnected desk got a %s frame again: %s", f.Type, f.Data)
		}
	}
	if n := len(c.sim.Inbox(phone)); n != 1 {
		t.Fatalf("the customer's phone got %d texts, want 1", n)
	}

	// Back on a: a new text, declined, comes back to the (only) agent.
	d.ws.Close()
	d = dialDesk(t, c.a, token)
	d.expect("sync", nil)
	d.ok("set_state", map[string]any{"state": "available"}, nil)
	if _, err := c.sim.Text(ctx, "+8613700000002", "What are your opening hours?"); err != nil {
		t.Fatal(err)
	}
	var o2 liveJSON
	d.expect("offer", &o2)
	d.ok("decline", map[string]any{"interaction_id": o2.Interaction.ID}, nil)
	var w struct {
		InteractionID int64  `json:"interaction_id"`
		Reason        string `json:"reason"`
	}
	d.expect("offer_withdrawn", &w)
	if w.InteractionID != o2.Interaction.ID || w.Reason != "declined" {
		t.Fatalf("withdrawn %+v, want interaction %d declined", w, o2.Interaction.ID)
	}
	var again liveJSON
	d.expect("offer", &again)
	if again.Interaction.ID != o2.Interaction.ID {
		t.Fatalf("offered %d after the decline, want %d again", again.Interaction.ID, o2.Interaction.ID)
	}
	d.ok("accept", map[string]any{"interaction_id": again.Interaction.ID}, nil)
	var owner int64
	c.pool.QueryRow(ctx, `SELECT COALESCE(agent_id, 0) FROM interactions WHERE id = $1`, again.Interaction.ID).Scan(&owner)
	if owner != agentID {
		t.Fatalf("interaction %d is with agent %d, want %d", again.Interaction.ID, owner, agentID)
	}
}
