package twiliosms_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"switchboard/channels/twiliosim"
	"switchboard/internal/testworld"
)

// BenchmarkSignedSMSWebhook posts signed inbound-text webhooks over real
// HTTP, inFlight at a time, each committed to Postgres (and new threads
// enqueued in Redis) before its 200. It reports accepted webhooks per second
// and the latency distribution.
//
//	go test -run '^$' -bench SignedSMSWebhook -benchtime 5000x ./channels/twiliosms
func BenchmarkSignedSMSWebhook(b *testing.B) {
	env, _ := setup(b)
	target := env.Public + "/channels/twilio/sms"
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	hc := &http.Client{Transport: tr}
	// The webhooks are signed before the clock starts: signing is
	// Twilio's work, not the server's, and would take CPU from it here.
	type webhook struct{ body, sig string }
	hooks := make([]webhook, b.N)
	for i := range hooks {
		// 1 in 4 texts opens a new thread; the rest append to one.
		form := url.Values{"MessageSid": {twiliosim.NewSID("SM")}, "AccountSid": {testworld.AccountSID},
			"From": {fmt.Sprintf("+86139%08d", i/4)}, "To": {testworld.BankNumber}, "Body": {"余额查询 balance please"},
			"NumMedia": {"0"}, "SmsStatus": {"received"}}
		hooks[i] = webhook{form.Encode(), twiliosim.Sign(testworld.AuthToken, target, form)}
	}
	var n atomic.Int64
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(max(1, inFlight/runtime.GOMAXPROCS(0)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			h := hooks[n.Add(1)-1]
			req, _ := http.NewRequest(http.MethodPost, target, strings.NewReader(h.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Twilio-Signature", h.sig)
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

// inFlight is how many webhooks the benchmark keeps under way. Twilio does
// not wait for one webhook's answer before sending the next, so a burst of
// texts arrives as many requests at once. At 32 the server spent much of
// its time waiting for commits and a quarter of this 2-core machine was
// idle; 48 keeps both cores busy, which is what "webhooks per second"
// should measure.
const inFlight = 48

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
