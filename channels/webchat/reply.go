package webchat

import (
	"context"
	"fmt"

	"switchboard"
	"switchboard/channels"
	"switchboard/interactions"
)

// Reply sends the agent's message to the chat's customer, on whichever node
// holds the socket. It is stored first; a customer who is offline gets it
// on reconnect. Errors: ErrInvalid for an empty or over-long body or a
// non-chat interaction; ErrNotFound for an unknown interaction;
// ErrForbidden when the agent is not serving it; ErrConflict when it ended.
func (c *Channel) Reply(ctx context.Context, agentID, interactionID int64, body string) (interactions.Message, error) {
	return c.ReplyOnce(ctx, agentID, interactionID, body, "")
}

// ReplyOnce is Reply with the desk's client message id: a resend of the
// same id returns the stored message and is not shown to the customer
// again. An empty id turns the check off.
func (c *Channel) ReplyOnce(ctx context.Context, agentID, interactionID int64, body, clientMsgID string) (interactions.Message, error) {
	m, _, dup, err := c.store.StoreReply(ctx, interactions.Reply{Channel: switchboard.ChannelChat, AgentID: agentID,
		InteractionID: interactionID, Body: body, ClientMsgID: clientMsgID, Status: "sent", MaxRunes: maxBody}, nil)
	if err != nil {
		return interactions.Message{}, fmt.Errorf("webchat: reply to %d: %w", interactionID, err)
	}
	if dup {
		return m, nil
	}
	if err := c.bus.Publish(ctx, channels.Event{Kind: "message", InteractionID: interactionID, Channel: switchboard.ChannelChat, AgentID: agentID, Message: &m}); err != nil {
		c.log.Warn("chat: publish reply", "interaction", interactionID, "err", err)
	}
	return m, nil
}

// Typing shows or hides the agent's typing indicator in the customer's
// widget. It is best-effort: nothing is stored.
func (c *Channel) Typing(ctx context.Context, agentID, interactionID int64, typing bool) error {
	return c.bus.Publish(ctx, channels.Event{Kind: "typing", InteractionID: interactionID, Channel: switchboard.ChannelChat,
		AgentID: agentID, Typing: typing, From: "agent"})
}
