package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"switchboard/campaigns"
	"switchboard/channels"
	"switchboard/routing"
)

// wireCampaigns builds the outbound side: the campaign store and the dialer
// (for the API), and Twilio's webhooks for outbound calls and texts under
// /campaigns/twilio/, behind the signature check.
func (m *Main) wireCampaigns(mux *http.ServeMux) error {
	tw, err := channels.NewTwilioClient(m.Env.TwilioAPIURL, m.Env.TwilioAccountSID, m.Env.TwilioAuthToken)
	if err != nil {
		return fmt.Errorf("twilio: %w", err)
	}
	host, _ := os.Hostname()
	m.Campaigns = campaigns.NewStore(m.DB, m.Now)
	m.Dialer = campaigns.NewDialer(m.Campaigns, tw, campaigns.DialerConfig{
		Node: fmt.Sprintf("%s/%d", host, os.Getpid()), CallerID: m.Env.TwilioFrom, PublicURL: m.Env.PublicURL,
	}, m.Log)
	// Routing is wired after the API; the dialer reaches it only once
	// calls are answered, by which time it is set.
	m.Dialer.Route = func(ctx context.Context, t routing.Task) error { return m.Routing.Enqueue(ctx, t) }
	m.Dialer.Unroute = func(ctx context.Context, id int64, reason string) error { return m.Routing.Cancel(ctx, id, reason) }
	mux.Handle("/campaigns/twilio/", channels.RequireTwilioSignature(m.Env.TwilioAuthToken, m.Env.PublicURL, m.Log, m.Dialer.Handler()))
	return nil
}

// runOutbound runs this node's dialer until ctx ends, and tells it when an
// agent accepts an answered campaign call (routing publishes every accept
// to every node; recording it is idempotent).
func (m *Main) runOutbound(ctx context.Context) {
	events, err := m.Routing.Subscribe(ctx)
	if err != nil {
		m.Log.Error("dialer: routing events", "err", err)
	} else {
		go func() {
			for e := range events {
				if e.Kind != routing.EventAccepted {
					continue
				}
				if err := m.Dialer.Connected(ctx, e.InteractionID, e.AgentID); err != nil {
					m.Log.Warn("dialer: connected", "interaction", e.InteractionID, "err", err)
				}
			}
		}()
	}
	m.Dialer.Run(ctx)
}
