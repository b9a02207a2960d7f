package main

import (
	"context"
	"slices"
	"testing"
	"time"

	"switchboard/internal/keyspace"
)

// TestOneSubscriptionPerChannel: a running server holds one Redis
// subscription to the routing events and one to the desk events, however
// many of its parts (desk, voice, chat, dialer) follow them, and no other.
func TestOneSubscriptionPerChannel(t *testing.T) {
	m, _ := MustRunMain(t)
	ctx := context.Background()
	ks := keyspace.New(m.Env.RedisPrefix, m.Env.Centre)
	want := []string{ks.DeskEvents(), ks.RoutingEvents()}
	slices.Sort(want)
	// The loops subscribe as they start: watch for a while.
	for end := time.Now().Add(500 * time.Millisecond); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		n, err := m.Redis.PubSubNumSub(ctx, want...).Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range want {
			if n[ch] != 1 {
				t.Fatalf("%d subscriptions to %s, want 1", n[ch], ch)
			}
		}
	}
	got, err := m.Redis.PubSubChannels(ctx, m.Env.RedisPrefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("subscribed to %v, want %v", got, want)
	}
}
