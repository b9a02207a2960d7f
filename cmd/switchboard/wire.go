package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"

	"switchboard"
	"switchboard/agentdesk"
	"switchboard/agents"
	"switchboard/api"
	"switchboard/campaigns"
	"switchboard/channels"
	"switchboard/channels/twilio"
	"switchboard/channels/twiliosms"
	"switchboard/channels/twiliovoice"
	"switchboard/channels/webchat"
	"switchboard/cmd/internal/config"
	"switchboard/customers"
	"switchboard/interactions"
	"switchboard/routing"
)

// wire builds every part on the open Postgres pool and Redis client, in
// dependency order: the routing engine and the event bus first, then the
// channels (the SMS channel defines its Postgres functions), the campaigns
// and the desk that use them.
func (m *Main) wire(ctx context.Context) error {
	var err error
	m.Customers = customers.NewService(m.DB, customers.Config{Now: m.Now})
	m.Routing, err = routing.New(routingConfig(m.Env), m.Redis, m.DB, m.Log, m.Now)
	if err != nil {
		return err
	}
	m.Bus = channels.NewBus(m.Redis, m.Env.RedisPrefix, m.Env.Centre, m.Log)
	tw, err := twilio.NewClient(m.Env.TwilioAPIURL, m.Env.TwilioAccountSID, m.Env.TwilioAuthToken)
	if err != nil {
		return fmt.Errorf("TWILIO_API_URL: %w", err)
	}
	store := interactions.NewStore(m.DB, m.Now)
	public, token, from := m.Env.PublicURL, m.Env.TwilioAuthToken, m.Env.TwilioFrom
	if m.SMS, err = twiliosms.New(ctx, twiliosms.Config{PublicURL: public, AuthToken: token, From: from}, store, tw, m.Routing, m.Bus, m.Log); err != nil {
		return fmt.Errorf("twiliosms: %w", err)
	}
	if m.Voice, err = twiliovoice.New(twiliovoice.Config{PublicURL: public, AuthToken: token, From: from}, store, tw, m.Routing, m.Bus, m.Log); err != nil {
		return fmt.Errorf("twiliovoice: %w", err)
	}
	m.Chat, err = webchat.New(webchat.Config{Key: []byte(m.Env.ChatKey), AllowedOrigins: m.Env.ChatOrigins,
		PublicURL: public, SMS: m.SMS.Send, Centre: m.Env.Centre, RedisPrefix: m.Env.RedisPrefix,
		ClientIP: m.Env.Security.TrustedProxies}, store, m.Routing, m.Bus, m.Redis, m.Log)
	if err != nil {
		return fmt.Errorf("webchat: %w", err)
	}
	m.wireCampaigns(tw)
	m.Desk, err = agentdesk.New(agentdesk.Config{PublicURL: public, Centre: m.Env.Centre, RedisPrefix: m.Env.RedisPrefix,
		WrapUpExtend: m.Env.Routing.WrapUp, Log: m.Log, Now: m.Now},
		agentdesk.Deps{Pool: m.DB, Agents: m.Agents, Engine: m.Routing, Customers: m.Customers, Bus: m.Bus,
			Redis: m.Redis, Repliers: m.repliers(), Typing: m.Chat.Typing, Hold: m.Voice.Hold, Tasks: m.Campaigns, Dialer: m.Dialer, Softphone: m.softphone()})
	if err != nil {
		return fmt.Errorf("agentdesk: %w", err)
	}
	return nil
}

// softphone mints the desk's Twilio Voice JS SDK tokens when an API key is
// configured; nil leaves the desk's calls to the server's call leg.
func (m *Main) softphone() func(agentID int64) (agentdesk.SoftphoneToken, error) {
	if m.Env.TwilioAPIKeySID == "" {
		return nil
	}
	sp := twiliovoice.Softphone{AccountSID: m.Env.TwilioAccountSID, APIKeySID: m.Env.TwilioAPIKeySID,
		APIKeySecret: m.Env.TwilioAPIKeySecret, TwiMLAppSID: m.Env.TwilioTwiMLAppSID, Identity: m.Voice.AgentClient}
	return func(agentID int64) (agentdesk.SoftphoneToken, error) {
		t, err := sp.Token(agentID, m.Now())
		return agentdesk.SoftphoneToken{Token: t.Token, Identity: t.Identity, Expires: t.Expires}, err
	}
}

// The voice channel's outbound side places and answers the dialer's calls.
var _ campaigns.Calls = (*twiliovoice.Outbound)(nil)

// wireCampaigns builds the campaign store and this node's dialer, which
// places its calls through the voice channel and hands answered calls to
// routing.
func (m *Main) wireCampaigns(tw *twilio.Client) {
	host, _ := os.Hostname()
	m.Campaigns = campaigns.NewStore(m.DB, m.Now)
	calls := twiliovoice.NewOutbound(m.Env.PublicURL, tw)
	m.Dialer = campaigns.NewDialer(m.Campaigns, tw, calls, campaigns.DialerConfig{
		Node: fmt.Sprintf("%s/%d", host, os.Getpid()), CallerID: m.Env.TwilioFrom, PublicURL: m.Env.PublicURL,
	}, m.Log)
	m.Dialer.UseRouting(m.Routing)
}

// routes mounts every part on one mux: the JSON API, the Twilio webhooks
// (each behind its signature check), the chat socket and widget, the desk.
func (m *Main) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", m.handleReady)
	sec := m.Env.Security
	guard := agents.NewGuard(m.Agents, m.Redis, agents.GuardConfig{Failures: sec.LoginFailures, SourceFailures: sec.LoginSourceFailures,
		Lockout: sec.LoginLockout, Prefix: m.Env.RedisPrefix, Centre: m.Env.Centre}, m.Log)
	apiServer := &api.Server{Log: m.Log, Agents: m.Agents, Customers: m.Customers, Campaigns: m.Campaigns, Dialer: m.Dialer,
		Guard: guard, ClientIP: sec.TrustedProxies, Origin: originOf(m.Env.PublicURL)}
	mux.Handle("/api/", apiServer.Handler())
	for _, p := range []string{"/channels/twilio/sms", "/channels/twilio/sms/"} {
		mux.Handle(p, m.SMS.Handler())
	}
	for _, p := range []string{"/channels/twilio/voice", "/channels/twilio/voice/"} {
		mux.Handle(p, m.Voice.Handler())
	}
	mux.Handle("/channels/chat/", m.Chat.Handler())
	mux.Handle("/campaigns/twilio/", twilio.RequireSignature(m.Env.TwilioAuthToken, m.Env.PublicURL, m.Log, m.Dialer.Handler()))
	mux.Handle("/agentdesk/", m.Desk.Handler())
	mux.Handle("GET /favicon.ico", m.Desk.Handler())
	mux.Handle("GET /{$}", http.RedirectHandler("/agentdesk/", http.StatusFound))
	return mux
}

// startLoops starts what every node runs: the routing sweeper and matcher,
// the voice bridge, the chat delivery, the desk's event fan-out and the
// dialer. All are safe on many nodes at once; Close waits for them.
func (m *Main) startLoops(ctx context.Context) error {
	if err := m.Desk.Run(ctx); err != nil {
		return err
	}
	m.goLoop(ctx, "routing", m.Routing.Run)
	m.goLoop(ctx, "twiliovoice", m.Voice.Run)
	m.goLoop(ctx, "webchat", m.Chat.Run)
	m.goLoop(ctx, "dialer", m.runOutbound)
	return nil
}

func (m *Main) goLoop(ctx context.Context, name string, run func(context.Context) error) {
	m.loops.Go(func() {
		if err := run(ctx); err != nil && ctx.Err() == nil {
			m.Log.Error(name+" stopped", "err", err)
		}
	})
}

// runOutbound runs this node's dialer until ctx ends, and tells it when an
// agent accepts an answered campaign call.
func (m *Main) runOutbound(ctx context.Context) error {
	m.goLoop(ctx, "dialer: routing events", m.Dialer.FollowRouting)
	m.Dialer.Run(ctx)
	return nil
}

// repliers are the channels that take an agent's text replies: a resend
// with the same client message id is not sent again.
func (m *Main) repliers() agentdesk.Repliers {
	return agentdesk.Repliers{switchboard.ChannelChat: m.Chat.ReplyOnce, switchboard.ChannelSMS: m.SMS.ReplyOnce}
}

// routingConfig is the routing policy the environment sets.
func routingConfig(env config.Env) routing.Config {
	c := routing.Config{Centre: env.Centre, Prefix: env.RedisPrefix,
		OffersPerAgent: env.Routing.OffersPerAgent, NotReadyOnMiss: map[switchboard.Channel]bool{}}
	if c.OffersPerAgent == 0 {
		c.OffersPerAgent = -1 // no limit but capacity
	}
	c.WrapUp, c.WrapUpMax = env.Routing.WrapUp, env.Routing.WrapUpMax
	c.IgnoreLanguage = !env.Routing.ByLanguage
	if c.WrapUp == 0 {
		c.WrapUp = -1 // none
	}
	for _, ch := range env.Routing.NotReadyOnMiss {
		c.NotReadyOnMiss[ch] = true
	}
	return c
}

// originOf is scheme://host[:port] of the public URL, as browsers send it
// in Origin; config.Load has checked that it parses.
func originOf(public string) string {
	u, err := url.Parse(public)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}
