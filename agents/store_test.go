package agents_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"switchboard"
	"switchboard/agents"
	"switchboard/internal/testenv"
)

func TestLoginAndSessions(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	s := agents.NewStore(testenv.MustOpenDB(t), time.Hour, func() time.Time { return now })
	a, err := s.Create(ctx, agents.NewAgent{Username: "li.na", Name: "李娜", Password: "correct horse", Role: switchboard.RoleRM,
		Tiers: []switchboard.ValueTier{switchboard.TierPrivate, switchboard.TierVIP}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Capacity[switchboard.ChannelChat] != 3 || len(a.Tiers) != 2 {
		t.Fatalf("created agent = %+v", a)
	}

	bad := map[string]struct{ user, pw string }{
		"wrong password": {"li.na", "wrong horse"},
		"unknown user":   {"nobody", "correct horse"},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := s.Login(ctx, tc.user, tc.pw)
			if !errors.Is(err, switchboard.ErrUnauthorized) || switchboard.ErrorMessage(err) != "wrong username or password" {
				t.Fatalf("err = %v; want the same ErrUnauthorized for both", err)
			}
		})
	}

	sess, err := s.Login(ctx, "li.na", "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Authenticate(ctx, sess.Token)
	if err != nil || got.ID != a.ID || got.Role != switchboard.RoleRM {
		t.Fatalf("Authenticate = %+v, %v", got, err)
	}
	now = now.Add(2 * time.Hour) // past the TTL
	if _, err := s.Authenticate(ctx, sess.Token); !errors.Is(err, switchboard.ErrUnauthorized) {
		t.Fatalf("expired session: err = %v, want ErrUnauthorized", err)
	}
	now = now.Add(-2 * time.Hour)
	if err := s.Logout(ctx, sess.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, sess.Token); !errors.Is(err, switchboard.ErrUnauthorized) {
		t.Fatalf("after logout: err = %v, want ErrUnauthorized", err)
	}
}

func TestCreateRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	s := agents.NewStore(testenv.MustOpenDB(t), time.Hour, time.Now)
	ok := agents.NewAgent{Username: "wang.wei", Name: "王伟", Password: "longenough", Role: switchboard.RoleAgent}
	if _, err := s.Create(ctx, ok); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		mutate func(*agents.NewAgent)
		want   error
	}{
		"taken username": {func(n *agents.NewAgent) {}, switchboard.ErrConflict},
		"bad role":       {func(n *agents.NewAgent) { n.Username, n.Role = "x1", "boss" }, switchboard.ErrInvalid},
		"short password": {func(n *agents.NewAgent) { n.Username, n.Password = "x2", "short" }, switchboard.ErrInvalid},
		"bad username":   {func(n *agents.NewAgent) { n.Username = "Has Spaces" }, switchboard.ErrInvalid},
		"two calls": {func(n *agents.NewAgent) {
			n.Username, n.Capacity = "x3", map[switchboard.Channel]int{switchboard.ChannelVoice: 2}
		}, switchboard.ErrInvalid},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			n := ok
			tc.mutate(&n)
			if _, err := s.Create(ctx, n); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
