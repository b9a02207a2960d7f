package agentdesk

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"

	"switchboard"
)

// client is one open desk socket. The reader goroutine handles the desk's
// frames one at a time, in order; the writer goroutine is the only one that
// writes data frames. Everything else reaches the socket through send.
type client struct {
	agent   *switchboard.Agent
	token   string // the session it was opened with, checked again later
	session string // agents.SessionKey(token), as session notices name it
	ws      *websocket.Conn
	send    chan []byte // bounded: a full queue disconnects the desk

	expMu  sync.Mutex
	expiry *time.Timer // ends the desk when its session expires

	once   sync.Once
	gone   chan struct{} // closed when the client is being closed
	reason string        // why it was closed; read after gone is closed
}

// enqueue queues b for the writer. A desk that cannot keep up is closed
// rather than skipped: it reconnects and resyncs, so no offer is lost.
// It never blocks.
func (c *client) enqueue(b []byte) bool {
	select {
	case <-c.gone:
		return false
	default:
	}
	select {
	case c.send <- b:
		return true
	default:
		c.close("slow consumer: send queue full")
		return false
	}
}

// close ends the connection once, telling the desk to come back later; it
// may be called from any goroutine.
func (c *client) close(reason string) { c.closeWith(websocket.CloseTryAgainLater, reason) }

// closeSessionEnded is the close code of a desk whose session has ended
// (logout, expiry, deactivation): it must sign in again, not reconnect.
const closeSessionEnded = 4001

// closeWith ends the connection once with a close code; it may be called
// from any goroutine.
func (c *client) closeWith(code int, reason string) {
	c.once.Do(func() {
		c.reason = reason
		close(c.gone)
		deadline := time.Now().Add(time.Second)
		c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), deadline)
		c.ws.Close()
		c.disarm()
	})
}

// arm (re)sets the timer that runs expire after d.
func (c *client) arm(d time.Duration, expire func()) {
	c.expMu.Lock()
	defer c.expMu.Unlock()
	select {
	case <-c.gone:
		return // closed: disarm has run or will not run again
	default:
	}
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.expiry = time.AfterFunc(d, expire)
}

func (c *client) disarm() {
	c.expMu.Lock()
	defer c.expMu.Unlock()
	if c.expiry != nil {
		c.expiry.Stop()
	}
}

// run serves the connection until either side stops; handle is called for
// each frame the desk sends. The calling goroutine is the reader; run starts
// the writer. Closing the socket stops the reader, and c.gone or ctx stops
// the writer.
func (c *client) run(ctx context.Context, cfg Config, handle func(ctx context.Context, f inFrame)) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer c.close("write failed")
		return c.writeLoop(ctx, cfg)
	})
	err := c.readLoop(ctx, cfg, handle)
	c.close("closed")
	return errors.Join(err, g.Wait())
}

func (c *client) readLoop(ctx context.Context, cfg Config, handle func(ctx context.Context, f inFrame)) error {
	c.ws.SetReadLimit(cfg.MaxFrame)
	c.ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
	})
	for {
		_, msg, err := c.ws.ReadMessage()
		if err != nil {
			return err
		}
		var f inFrame
		if err := json.Unmarshal(msg, &f); err != nil {
			c.enqueue(encode(errorFrame("", switchboard.Errorf(switchboard.ErrInvalid, "frame is not a JSON object"), "")))
			continue
		}
		c.ws.SetReadDeadline(time.Now().Add(cfg.PongWait))
		if f.V != Version {
			c.enqueue(encode(errorFrame(f.ID, switchboard.Errorf(switchboard.ErrInvalid, "unsupported protocol version %d (this server speaks %d)", f.V, Version), "")))
			continue
		}
		if f.ID == "" || len(f.ID) > 64 {
			c.enqueue(encode(errorFrame("", switchboard.Errorf(switchboard.ErrInvalid, "every frame needs an id of 1 to 64 characters"), "")))
			continue
		}
		handle(ctx, f)
	}
}

func (c *client) writeLoop(ctx context.Context, cfg Config) error {
	ping := time.NewTicker(cfg.PingEvery)
	defer ping.Stop()
	for {
		select {
		case <-c.gone:
			return nil
		case <-ctx.Done():
			c.close("server shutting down")
			return nil
		case b := <-c.send:
			c.ws.SetWriteDeadline(time.Now().Add(cfg.WriteWait))
			if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				return err
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(cfg.WriteWait)); err != nil {
				return err
			}
		}
	}
}
