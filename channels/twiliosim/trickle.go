package twiliosim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// Trickle is a steady flow of demo traffic.
type Trickle struct {
	CallsPerMinute float64
	TextsPerMinute float64
	// Numbers are the callers' numbers; random Chinese mobiles if empty.
	// Seeded customers' numbers make the demo callers known customers.
	Numbers []string
}

var demoTexts = []string{
	"你好，我的信用卡被锁了", "Hi, I'd like to raise my card limit", "请问房贷利率是多少？", "I was charged twice for the same purchase",
	"理财产品什么时候到期？", "Can someone call me about a wealth product?", "我要投诉", "What time do branches open on Saturday?",
}

// RunTrickle places calls and sends texts at random, at the given rates,
// until ctx ends.
func (s *Sim) RunTrickle(ctx context.Context, t Trickle) error {
	if t.CallsPerMinute < 0 || t.TextsPerMinute < 0 || t.CallsPerMinute+t.TextsPerMinute == 0 {
		return fmt.Errorf("twiliosim: trickle needs a positive call or text rate")
	}
	calls, texts := ticker(ctx, t.CallsPerMinute), ticker(ctx, t.TextsPerMinute)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-calls:
			c := s.Call(demoCaller(pick(t.Numbers)))
			s.log.Info("twiliosim: call", "sid", c.SID, "from", c.From)
		case <-texts:
			from := pick(t.Numbers)
			go func() {
				if _, err := s.Text(ctx, from, demoTexts[rand.IntN(len(demoTexts))]); err != nil {
					s.log.Warn("twiliosim: text", "from", from, "err", err)
				}
			}()
		}
	}
}

// ticker fires at random (exponential) intervals averaging perMinute; nil
// (never) for a zero rate.
func ticker(ctx context.Context, perMinute float64) <-chan time.Time {
	if perMinute <= 0 {
		return nil
	}
	ch := make(chan time.Time)
	go func() {
		for {
			d := time.Duration(rand.ExpFloat64() / perMinute * float64(time.Minute))
			select {
			case now := <-time.After(d):
				select {
				case ch <- now:
				case <-ctx.Done():
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

func pick(numbers []string) string {
	if len(numbers) > 0 {
		return numbers[rand.IntN(len(numbers))]
	}
	return fmt.Sprintf("+86138%08d", rand.IntN(1e8))
}

// demoCaller picks a language and an intent, sometimes asks for a
// callback, and waits between half a minute and four minutes.
func demoCaller(from string) Caller {
	digits := []string{fmt.Sprint(1 + rand.IntN(2)), []string{"1", "2", "3", "4", "0"}[rand.IntN(5)]}
	if rand.IntN(5) == 0 {
		digits = append(digits, "", "9") // on the second hold loop
	}
	return Caller{From: from, Digits: digits, Patience: time.Duration(30+rand.IntN(210)) * time.Second,
		TalkTime: time.Duration(30+rand.IntN(150)) * time.Second}
}
