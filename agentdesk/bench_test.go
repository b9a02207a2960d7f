package agentdesk_test

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/routing"
)

// BenchmarkDeskPop holds SWITCHBOARD_BENCH_DESKS idle desk sockets (default
// 1,000; each costs this process a client and a server descriptor) on one
// node, then routes b.N VIP texts to 20 available agents and reports the
// screen-pop delay from reservation to frame queued, and the heap and stack
// per socket (client side included, so an upper bound). For 10,000 sockets
// against a separate server process use switchboardctl loadgen desk.
func BenchmarkDeskPop(b *testing.B) {
	conns := 1000
	if v, err := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_DESKS")); err == nil && v > 0 {
		conns = v
	}
	c := newCentre(b, routing.Config{WrapUp: -1})
	n := c.node(agentdesk.Config{})
	cust := c.customer("Bench VIP", switchboard.TierVIP, 0, "+8613800000009")
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	idle := make([]*websocket.Conn, 0, conns)
	for _, tok := range c.bulkAgents("idle", conns) {
		ws, _, err := dialRaw(n, tok, origin)
		if err != nil {
			b.Fatal(err)
		}
		idle = append(idle, ws)
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	defer func() {
		for _, ws := range idle {
			ws.Close()
		}
	}()
	time.Sleep(time.Second)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	perConn := float64((after.HeapInuse+after.StackInuse)-(before.HeapInuse+before.StackInuse)) / float64(conns)
	open := n.desk.Stats().Connections

	for _, tok := range c.bulkAgents("busy", 20) {
		d := dial(b, n, tok)
		go answerAll(d)
	}
	time.Sleep(500 * time.Millisecond)
	b.ResetTimer()
	for range b.N {
		c.arrive(n, cust, switchboard.TierVIP)
	}
	deadline := time.Now().Add(30 * time.Second)
	for n.desk.Stats().Pops.Count < int64(b.N) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	b.StopTimer()
	s := n.desk.Stats().Pops
	b.ReportMetric(float64(open), "connections")
	b.ReportMetric(perConn, "bytes/conn")
	b.ReportMetric(s.P50Ms, "pop-p50-ms")
	b.ReportMetric(s.P99Ms, "pop-p99-ms")
}

// answerAll makes a desk available and accepts and wraps up every offer.
func answerAll(d *desk) {
	d.ws.WriteJSON(map[string]any{"v": 1, "id": "s", "type": "set_state", "data": map[string]any{"state": "available"}})
	for f := range d.frames {
		if f.Type != "offer" {
			continue
		}
		var o offerJSON
		if jsonUnmarshal(f.Data, &o) != nil {
			continue
		}
		id := o.Interaction.ID
		d.ws.WriteJSON(map[string]any{"v": 1, "id": "a", "type": "accept", "data": map[string]any{"interaction_id": id}})
		d.ws.WriteJSON(map[string]any{"v": 1, "id": "w", "type": "wrapup", "data": map[string]any{"interaction_id": id, "disposition": "enquiry"}})
	}
}
