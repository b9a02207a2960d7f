package agentdesk

import (
	"context"
	"errors"
	"strconv"
	"time"

	"switchboard"
	"switchboard/routing"
)

// sessionsChannel is the Postgres notification a trigger sends on commit
// when a session ends or changes ("s" and its key) or an agent is
// deactivated ("a" and the id); see migration 00060.
const sessionsChannel = "sessions_ended"

// watchSessions ends this node's desks whose session has ended, as soon as
// any node (or an operator's SQL) ends it. If the listener was dropped,
// every desk here is checked again, since notices may have been missed.
func (d *Desk) watchSessions(ctx context.Context) error {
	return d.listen(ctx, sessionsChannel, d.onSessionNotice, func(ctx context.Context) {
		for _, c := range d.hub.all() {
			d.recheck(ctx, c)
		}
	})
}

func (d *Desk) onSessionNotice(ctx context.Context, payload string) {
	var cs []*client
	switch {
	case len(payload) < 2:
		return
	case payload[0] == 's':
		cs = d.hub.ofSession(payload[1:])
	case payload[0] == 'a':
		id, err := strconv.ParseInt(payload[1:], 10, 64)
		if err != nil {
			return
		}
		cs = d.hub.ofAgent(id)
	}
	for _, c := range cs {
		d.recheck(ctx, c)
	}
}

// recheck asks Postgres whether c's session still holds: it ends the desk
// when not (and returns ErrUnauthorized), and re-arms its expiry timer when
// it does. Any other error leaves the desk open and is returned: its expiry
// timer still holds, and no session can end while Postgres does not answer.
func (d *Desk) recheck(ctx context.Context, c *client) error {
	sess, err := d.deps.Agents.Check(ctx, c.token)
	if err == nil && sess.Agent.ID != c.agent.ID {
		err = switchboard.Errorf(switchboard.ErrUnauthorized, "the session belongs to someone else")
	}
	switch {
	case errors.Is(err, switchboard.ErrUnauthorized):
		d.endSession(c, "session ended")
		return err
	case err != nil:
		d.cfg.Log.Warn("agentdesk: check a desk's session", "agent", c.agent.ID, "err", err)
		return err
	}
	d.armExpiry(c, sess.ExpiresAt)
	return nil
}

// armExpiry ends the desk when its session expires: the check at connect
// alone would let a socket outlive its session by days.
func (d *Desk) armExpiry(c *client, at time.Time) {
	c.arm(at.Sub(d.cfg.Now()), func() {
		ctx, cancel := context.WithTimeout(d.life, 5*time.Second)
		defer cancel()
		if err := d.recheck(ctx, c); err != nil && !errors.Is(err, switchboard.ErrUnauthorized) {
			// Postgres did not answer: the session's time is up all the
			// same.
			d.endSession(c, "session expired")
		}
	})
}

// endSession closes a desk whose session ended and, unless the agent still
// has a session elsewhere, takes them out of routing, so no more work is
// offered to a desk nobody may open.
func (d *Desk) endSession(c *client, reason string) {
	c.closeWith(closeSessionEnded, reason)
	d.cfg.Log.Info("agentdesk: desk closed: "+reason, "agent", c.agent.ID)
	go func() {
		ctx, cancel := context.WithTimeout(d.life, 10*time.Second)
		defer cancel()
		if err := d.leaveRouting(ctx, c.agent.ID); err != nil && ctx.Err() == nil {
			d.cfg.Log.Warn("agentdesk: take a signed-out agent out of routing", "agent", c.agent.ID, "err", err)
		}
	}()
}

// leaveRouting logs the agent out of routing when they have no live
// session left; one who still holds a conversation goes on break instead,
// so that it can be wrapped up after signing in again.
func (d *Desk) leaveRouting(ctx context.Context, agentID int64) error {
	live, err := d.deps.Agents.HasLiveSession(ctx, agentID)
	if err != nil || live {
		return err
	}
	err = d.deps.Engine.Logout(ctx, agentID)
	if errors.Is(err, switchboard.ErrConflict) {
		err = d.deps.Engine.SetState(ctx, agentID, routing.AgentBreak, "logout")
	}
	if errors.Is(err, switchboard.ErrNotFound) {
		return nil // not in routing
	}
	return err
}

// sessionEnded checks c's session before one of its frames is handled: a
// backstop in case a notice was lost, since a frame can search customers
// or end a conversation. The desk is being closed when it reports true.
func (d *Desk) sessionEnded(ctx context.Context, c *client) bool {
	return errors.Is(d.recheck(ctx, c), switchboard.ErrUnauthorized)
}
