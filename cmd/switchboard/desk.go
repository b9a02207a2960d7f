package main

import (
	"context"
	"fmt"
	"net/http"

	"switchboard/agentdesk"
	"switchboard/channels"
	"switchboard/channels/twiliosms"
	"switchboard/customers"
	"switchboard/routing"
)

// wireDesk builds what the agent desk drives (the routing engine, the
// channels' event bus, the customers service and the SMS channel for
// replies, unless an earlier block of Run has), starts the desk's event
// loops on ctx and mounts /agentdesk/, with / redirecting to the desk.
func (m *Main) wireDesk(ctx context.Context, mux *http.ServeMux) error {
	if err := m.ensureContactCentre(ctx, mux); err != nil {
		return err
	}
	d, err := agentdesk.New(agentdesk.Config{PublicURL: m.Env.PublicURL, Centre: m.Env.Centre,
		RedisPrefix: m.Env.RedisPrefix, Log: m.Log, Now: m.Now},
		agentdesk.Deps{Pool: m.DB, Agents: m.Agents, Engine: m.Routing, Customers: m.Customers, Bus: m.Bus,
			Redis: m.Redis, Send: m.reply, Tasks: m.Campaigns, Dialer: m.Dialer})
	if err != nil {
		return fmt.Errorf("agentdesk: %w", err)
	}
	if err := d.Run(ctx); err != nil {
		return err
	}
	m.Desk = d
	mux.Handle("/agentdesk/", d.Handler())
	mux.Handle("GET /{$}", http.RedirectHandler("/agentdesk/", http.StatusFound))
	return nil
}

// ensureContactCentre creates the shared services the desk needs that no
// other block has created yet.
func (m *Main) ensureContactCentre(ctx context.Context, mux *http.ServeMux) error {
	var err error
	if m.Routing == nil {
		cfg := routing.Config{Centre: m.Env.Centre, Prefix: m.Env.RedisPrefix}
		if m.Routing, err = routing.New(cfg, m.Redis, m.DB, m.Log, m.Now); err != nil {
			return err
		}
		go m.Routing.Run(ctx)
	}
	if m.Bus == nil {
		m.Bus = channels.NewBus(m.Redis, m.Env.RedisPrefix, m.Env.Centre, m.Log)
	}
	if m.Customers == nil {
		m.Customers = customers.NewService(m.DB, customers.Config{Now: m.Now})
	}
	if m.SMS == nil {
		tw, err := channels.NewTwilioClient(m.Env.TwilioAPIURL, m.Env.TwilioAccountSID, m.Env.TwilioAuthToken)
		if err != nil {
			return fmt.Errorf("twilio: %w", err)
		}
		m.SMS, err = twiliosms.New(twiliosms.Config{PublicURL: m.Env.PublicURL, AuthToken: m.Env.TwilioAuthToken,
			From: m.Env.TwilioFrom}, channels.NewStore(m.DB, m.Now), tw, m.Routing, m.Bus, m.Log)
		if err != nil {
			return fmt.Errorf("twiliosms: %w", err)
		}
		mux.Handle("/channels/twilio/sms", m.SMS.Handler())
		mux.Handle("/channels/twilio/sms/", m.SMS.Handler())
	}
	return nil
}

// reply sends an agent's message on its interaction's channel (replyOn).
func (m *Main) reply(ctx context.Context, agentID, interactionID int64, body, _ string) (channels.Message, error) {
	return m.replyOn(ctx, agentID, interactionID, body)
}
