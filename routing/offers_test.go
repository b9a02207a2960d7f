package routing

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard"
)

var sms = switchboard.ChannelSMS

// TestOffersOneAtATime: five texts wait for an agent who may hold five.
// By default the agent is offered one at a time: the next once the last
// is answered or withdrawn.
func TestOffersOneAtATime(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{Agents: []AgentProfile{agent(1, nil)}}, clk)
	must(t, e.Login(ctx, 1))
	for id := int64(1); id <= 5; id++ {
		must(t, e.Enqueue(ctx, task(id, sms, switchboard.TierMass)))
	}
	if o := offers(rec.take()); len(o) != 1 || o[1] != 1 {
		t.Fatalf("offers %v, want text 1 alone to agent 1", o)
	}
	must(t, e.Accept(ctx, 1, 1))
	if o := offers(rec.take()); len(o) != 1 || o[2] != 1 {
		t.Fatalf("after the answer: offers %v, want text 2 to agent 1", o)
	}
	must(t, e.Decline(ctx, 1, 2))
	if o := offers(rec.take()); len(o) != 1 || o[2] != 1 {
		t.Fatalf("after the decline: offers %v, want text 2 again", o)
	}
	clk.Advance(16 * time.Second)
	must(t, e.Sweep(ctx))
	if o := offers(rec.take()); len(o) != 1 || o[2] != 1 {
		t.Fatalf("after the timeout: offers %v, want text 2 again (a missed text keeps the agent ready)", o)
	}
}

// TestOffersPerAgentAndMissPolicy: both are the centre's to set. With five
// offers at a time the agent gets all five texts at once; a centre that
// puts agents on break for a missed text does so, and a missed call does
// not put them on break where voice is left out of the policy.
func TestOffersPerAgentAndMissPolicy(t *testing.T) {
	tests := map[string]struct {
		cfg       Config
		ch        switchboard.Channel
		wantOffer int
		wantState AgentState
	}{
		"default: a missed call means break": {ch: voice, wantOffer: 1, wantState: AgentBreak},
		"five at a time, a missed text means break": {
			cfg: Config{OffersPerAgent: 5, NotReadyOnMiss: map[switchboard.Channel]bool{sms: true}},
			ch:  sms, wantOffer: 5, wantState: AgentBreak,
		},
		"no limit, nobody on break": {
			cfg: Config{OffersPerAgent: -1, NotReadyOnMiss: map[switchboard.Channel]bool{}},
			ch:  sms, wantOffer: 5, wantState: AgentAvailable,
		},
		"voice left out of the policy": {
			cfg: Config{NotReadyOnMiss: map[switchboard.Channel]bool{sms: true}},
			ch:  voice, wantOffer: 1, wantState: AgentAvailable,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			tc.cfg.Agents = []AgentProfile{agent(1, nil)}
			e, rec := memEngine(t, tc.cfg, clk)
			must(t, e.Login(ctx, 1))
			for id := int64(1); id <= 5; id++ {
				must(t, e.Enqueue(ctx, task(id, tc.ch, switchboard.TierMass)))
			}
			if o := offers(rec.take()); len(o) != tc.wantOffer {
				t.Fatalf("offers %v, want %d at once", o, tc.wantOffer)
			}
			clk.Advance(16 * time.Second)
			must(t, e.Sweep(ctx))
			as, err := e.AgentStates(ctx)
			must(t, err)
			if as[0].State != tc.wantState {
				t.Fatalf("after missing the offers the agent is %s, want %s", as[0].State, tc.wantState)
			}
		})
	}
}

func TestNotReadyOnMissRejectsUnknownChannel(t *testing.T) {
	_, err := Config{NotReadyOnMiss: map[switchboard.Channel]bool{"fax": true}}.withDefaults()
	if !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("unknown channel: %v, want ErrInvalid", err)
	}
}

// TestOffersPerAgent: the limit counts offers on every channel, and can
// be raised.
func TestOffersPerAgent(t *testing.T) {
	ctx := context.Background()
	clk := newClock()
	e, rec := memEngine(t, Config{OffersPerAgent: 3, Agents: []AgentProfile{agent(1, nil)}}, clk)
	must(t, e.Login(ctx, 1))
	for id := int64(1); id <= 2; id++ {
		must(t, e.Enqueue(ctx, task(id, chat, switchboard.TierMass)))
	}
	for id := int64(3); id <= 5; id++ {
		must(t, e.Enqueue(ctx, task(id, sms, switchboard.TierMass)))
	}
	if o := offers(rec.take()); len(o) != 3 || o[1] != 1 || o[2] != 1 || o[3] != 1 {
		t.Fatalf("offers %v, want chats 1, 2 and text 3 (three at a time)", o)
	}
	must(t, e.Accept(ctx, 1, 2))
	if o := offers(rec.take()); len(o) != 1 || o[4] != 1 {
		t.Fatalf("after an answer: offers %v, want text 4", o)
	}
}

// TestNotReadyOnMiss: whether a missed offer puts the agent on break is
// the channel's policy; by default only a missed call does.
func TestNotReadyOnMiss(t *testing.T) {
	tests := map[string]struct {
		policy map[switchboard.Channel]bool
		ch     switchboard.Channel
		want   AgentState
	}{
		"default, missed call":  {ch: voice, want: AgentBreak},
		"default, missed chat":  {ch: chat, want: AgentAvailable},
		"default, missed text":  {ch: sms, want: AgentAvailable},
		"texts too, missed one": {policy: map[switchboard.Channel]bool{sms: true}, ch: sms, want: AgentBreak},
		"never, missed call":    {policy: map[switchboard.Channel]bool{}, ch: voice, want: AgentAvailable},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			clk := newClock()
			e, _ := memEngine(t, Config{NotReadyOnMiss: tc.policy, Agents: []AgentProfile{agent(1, nil)}}, clk)
			must(t, e.Login(ctx, 1))
			must(t, e.Enqueue(ctx, task(1, tc.ch, switchboard.TierMass)))
			clk.Advance(16 * time.Second)
			must(t, e.Sweep(ctx))
			st, err := e.AgentStates(ctx)
			must(t, err)
			if len(st) != 1 || st[0].State != tc.want {
				t.Fatalf("agents %+v, want agent 1 %s", st, tc.want)
			}
		})
	}
	if _, err := New(Config{NotReadyOnMiss: map[switchboard.Channel]bool{"fax": true}}, nil, nil, nil, nil); !errors.Is(err, switchboard.ErrInvalid) {
		t.Fatalf("policy for an unknown channel: %v, want ErrInvalid", err)
	}
}
