package twiliosms_test

import (
	"fmt"
	"sync"
	"testing"

	"switchboard/channels/twiliosim"
)

// Texts that arrive together, and so are stored in one group or in groups
// written at once, keep the rules each text has alone: one thread per
// number, one message per MessageSid, one consent change per keyword.
func TestConcurrentTexts(t *testing.T) {
	env, _ := setup(t)
	env.AddCustomer("Li Wei", customerPhone, "vip")
	const numbers, perNumber, retries = 6, 8, 6
	var wg sync.WaitGroup
	text := func(sid, from, body string) {
		wg.Go(func() {
			if err := env.Sim.TextWithSID(env.Ctx, sid, from, body); err != nil {
				t.Error(err)
			}
		})
	}
	for n := range numbers {
		from := customerPhone
		if n > 0 {
			from = fmt.Sprintf("+861390013%04d", n)
		}
		for i := range perNumber {
			text(twiliosim.NewSID("SM"), from, fmt.Sprintf("text %d", i))
		}
	}
	dup, stop := twiliosim.NewSID("SM"), twiliosim.NewSID("SM")
	for range retries {
		text(dup, "+8613900139999", "retried")
		text(stop, "+8613900138888", "退订")
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	checks := map[string]struct {
		sql  string
		want int
	}{
		"one thread per number": {`SELECT count(DISTINCT from_addr) FILTER (WHERE n = 1) FROM
			(SELECT from_addr, count(*) OVER (PARTITION BY from_addr) AS n FROM interactions) t`, numbers + 1},
		"threads":                  {`SELECT count(*) FROM interactions`, numbers + 1},
		"every text stored once":   {`SELECT count(*) FROM messages`, numbers*perNumber + 1},
		"texts of a number joined": {`SELECT count(DISTINCT interaction_id) FROM messages`, numbers + 1},
		"one created event each":   {`SELECT count(*) FROM interaction_events WHERE kind = 'created'`, numbers + 1},
		"one consent change":       {`SELECT count(*) FROM consent_changes WHERE phone = '+8613900138888'`, 1},
		"customer identified": {`SELECT count(*) FROM interactions i JOIN customers c ON c.id = i.customer_id
			WHERE i.from_addr = c.phone AND i.tier = 'vip'`, 1},
	}
	for name, c := range checks {
		t.Run(name, func(t *testing.T) {
			if got := env.Count(c.sql); got != c.want {
				t.Fatalf("%d, want %d", got, c.want)
			}
		})
	}
	env.Eventually("every thread queued once", func() bool {
		return env.Count(`SELECT count(*) FROM interaction_events WHERE kind = 'queued'`) == numbers+1
	})
}
