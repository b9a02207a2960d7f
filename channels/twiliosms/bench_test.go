package twiliosms_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/channels/internal/chantest"
	"switchboard/channels/twiliosim"
)

// BenchmarkSignedSMSWebhook posts signed inbound-text webhooks over real
// HTTP, 32 at a time, each committed to Postgres (and new threads enqueued
// in Redis) before its 200. It reports accepted webhooks per second and the
// latency distribution.
//
//	go test -run '^$' -bench SignedSMSWebhook -benchtime 5000x ./channels/twiliosms
func BenchmarkSignedSMSWebhook(b *testing.B) {
	env, _ := setup(b)
	target := env.Public + "/channels/twilio/sms"
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	hc := &http.Client{Transport: tr}
	var n atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(16) // 32 concurrent requests on 2 cores
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			i := n.Add(1)
			// 1 in 4 texts opens a new thread; the rest append to one.
			from := fmt.Sprintf("+86139%08d", i/4)
			form := url.Values{"MessageSid": {twiliosim.NewSID("SM")}, "AccountSid": {chantest.AccountSID}, "From": {from},
				"To": {chantest.BankNumber}, "Body": {"余额查询 balance please"}, "NumMedia": {"0"}, "SmsStatus": {"received"}}
			req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Twilio-Signature", twiliosim.Sign(chantest.AuthToken, target, form))
			t0 := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			// Read the TwiML to the end, as Twilio does, so the connection
			// is kept alive for the next webhook.
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			local = append(local, time.Since(t0))
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	report(b, lat, elapsed)
	if got := env.Count(`SELECT count(*) FROM messages`); got != len(lat) {
		b.Fatalf("%d messages stored for %d accepted webhooks", got, len(lat))
	}
}

func report(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
