package main

import (
	"context"
	"fmt"
	"net/http"

	"switchboard"
	"switchboard/channels"
	"switchboard/channels/twiliovoice"
	"switchboard/channels/webchat"
)

// wireChannels mounts the voice and chat channels under /channels/ (the SMS
// channel comes with ensureContactCentre) and starts their loops on ctx:
// the voice channel bridges accepted calls, the chat channel delivers
// agents' messages to the customers' sockets held by this node.
func (m *Main) wireChannels(ctx context.Context, mux *http.ServeMux) error {
	if err := m.ensureContactCentre(ctx, mux); err != nil {
		return err
	}
	tw, err := channels.NewTwilioClient(m.Env.TwilioAPIURL, m.Env.TwilioAccountSID, m.Env.TwilioAuthToken)
	if err != nil {
		return fmt.Errorf("twilio: %w", err)
	}
	store := channels.NewStore(m.DB, m.Now)
	m.Voice, err = twiliovoice.New(twiliovoice.Config{PublicURL: m.Env.PublicURL, AuthToken: m.Env.TwilioAuthToken,
		From: m.Env.TwilioFrom}, store, tw, m.Routing, m.Bus, m.Log)
	if err != nil {
		return fmt.Errorf("twiliovoice: %w", err)
	}
	mux.Handle("/channels/twilio/voice", m.Voice.Handler())
	mux.Handle("/channels/twilio/voice/", m.Voice.Handler())
	m.Chat, err = webchat.New(webchat.Config{Key: []byte(m.Env.ChatKey), AllowedOrigins: m.Env.ChatOrigins,
		PublicURL: m.Env.PublicURL, SMS: m.SMS.Send}, store, m.Routing, m.Bus, m.Log)
	if err != nil {
		return fmt.Errorf("webchat: %w", err)
	}
	mux.Handle("/channels/chat/", m.Chat.Handler())
	go m.runLoop(ctx, "twiliovoice", m.Voice.Run)
	go m.runLoop(ctx, "webchat", m.Chat.Run)
	return nil
}

func (m *Main) runLoop(ctx context.Context, name string, run func(context.Context) error) {
	if err := run(ctx); err != nil && ctx.Err() == nil {
		m.Log.Error(name+" stopped", "err", err)
	}
}

// replyOn sends an agent's message on the interaction's own channel.
func (m *Main) replyOn(ctx context.Context, agentID, interactionID int64, body string) (channels.Message, error) {
	l, err := channels.LoadInteraction(ctx, m.DB, interactionID, false)
	if err != nil {
		return channels.Message{}, err
	}
	switch {
	case l.Channel == switchboard.ChannelChat && m.Chat != nil:
		return m.Chat.Reply(ctx, agentID, interactionID, body)
	case l.Channel == switchboard.ChannelSMS:
		return m.SMS.Reply(ctx, agentID, interactionID, body)
	}
	return channels.Message{}, switchboard.Errorf(switchboard.ErrInvalid, "interaction %d is a %s; it takes no text replies", interactionID, l.Channel)
}
