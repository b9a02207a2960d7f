package webchat_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkChatMessages sends customer messages through the WebSocket path
// from 32 sockets at once; each is stored in Postgres, published for the
// desk and acknowledged before the next is sent on that socket. It reports
// messages per second and the ack latency.
//
//	go test -run '^$' -bench ChatMessages -benchtime 5000x ./channels/webchat
func BenchmarkChatMessages(b *testing.B) {
	env, _ := setup(b, func(c *webchatConfig) { c.ConnsPerIP = 1e6; c.MsgsPerIP = 1e9; c.MsgsPerCustomer = 1e9 })
	const sockets = 32
	clients := make([]*client, sockets)
	for i := range clients {
		clients[i] = mustDial(b, env)
		clients[i].send(map[string]any{"type": "hello", "name": fmt.Sprintf("bench %d", i)})
		clients[i].next("welcome")
	}
	per := (b.N + sockets - 1) / sockets
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]time.Duration, 0, per)
			for j := range per {
				t0 := time.Now()
				c.send(map[string]any{"type": "message", "client_msg_id": fmt.Sprintf("b%d-%d", i, j), "body": "我想查询账户余额"})
				c.next("ack")
				local = append(local, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
