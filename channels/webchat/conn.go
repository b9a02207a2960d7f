package webchat

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"

	"switchboard"
)

const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	helloWait  = 10 * time.Second
	sendQueue  = 64
)

// conn is one customer socket: one reader goroutine, one writer goroutine,
// and a bounded queue between the rest of the process and the writer.
type conn struct {
	ws   *websocket.Conn
	out  chan outFrame
	ip   string
	once sync.Once
	gone chan struct{} // closed when the queue overflowed: the writer hangs up

	s session // owned by the reader goroutine
}

// send queues f; a customer too slow to take 64 frames is disconnected and
// resumes (with everything from Postgres) when the widget reconnects.
func (k *conn) send(f outFrame) {
	select {
	case k.out <- f:
	default:
		k.once.Do(func() { close(k.gone) })
	}
}

func (c *Channel) handleSocket(w http.ResponseWriter, r *http.Request) {
	ip := c.clientIP(r)
	if !c.connsPerIP.allow(r.Context(), ip, c.now()) {
		http.Error(w, "too many connections; wait a minute", http.StatusTooManyRequests)
		return
	}
	if !c.originAllowed(r) {
		http.Error(w, "this page may not open a chat", http.StatusForbidden)
		return
	}
	ws, err := c.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	k := &conn{ws: ws, out: make(chan outFrame, sendQueue), ip: ip, gone: make(chan struct{})}
	ws.SetReadLimit(maxFrame)
	c.serve(r.Context(), k)
}

func (c *Channel) serve(parent context.Context, k *conn) {
	defer k.ws.Close()
	g, ctx := errgroup.WithContext(context.WithoutCancel(parent))
	g.Go(func() error { return c.readLoop(ctx, k) })
	g.Go(func() error { return c.writeLoop(ctx, k) })
	_ = g.Wait()
	if k.s.interactionID != 0 {
		c.unregister(k.s.interactionID, k)
	}
}

func (c *Channel) readLoop(ctx context.Context, k *conn) error {
	k.ws.SetReadDeadline(time.Now().Add(helloWait))
	k.ws.SetPongHandler(func(string) error { return k.ws.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, data, err := k.ws.ReadMessage()
		if err != nil {
			return err
		}
		f, err := parseFrame(data, c.cfg.Region)
		if err == nil {
			err = c.handleFrame(ctx, k, f)
		}
		if err != nil {
			k.send(errorFrame(err))
			if k.s.interactionID == 0 && f.Type == "hello" {
				return err // a refused hello ends the socket
			}
		}
		if k.s.interactionID != 0 || k.s.ready {
			k.ws.SetReadDeadline(time.Now().Add(pongWait))
		}
	}
}

func (c *Channel) writeLoop(ctx context.Context, k *conn) error {
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	defer k.ws.Close() // unblocks the reader when the writer gives up
	for {
		select {
		case f := <-k.out:
			if err := k.write(f); err != nil {
				return err
			}
		case <-ping.C:
			if err := k.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return err
			}
		case <-k.gone:
			k.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "too slow"), time.Now().Add(writeWait))
			return switchboard.Errorf(switchboard.ErrUnavailable, "slow client")
		case <-ctx.Done():
			k.flush()
			return ctx.Err()
		}
	}
}

func (k *conn) write(f outFrame) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	k.ws.SetWriteDeadline(time.Now().Add(writeWait))
	return k.ws.WriteMessage(websocket.TextMessage, b)
}

// flush writes what is queued (an error frame explaining a refused hello)
// before the socket closes.
func (k *conn) flush() {
	for {
		select {
		case f := <-k.out:
			if k.write(f) != nil {
				return
			}
		default:
			return
		}
	}
}
