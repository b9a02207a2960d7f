package campaigns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/channels"
	"switchboard/customers"
	"switchboard/routing"
)

// attempt is one outreach_attempts row, as outcomes need it.
type attempt struct {
	ID, CampaignID, ContactID, TaskID, CustomerID, InteractionID, AgentID int64
	Phone, Result, SID                                                    string
	Live                                                                  bool
}

func lockAttempt(ctx context.Context, tx pgx.Tx, id int64) (attempt, error) {
	var a attempt
	err := tx.QueryRow(ctx, `SELECT id, coalesce(campaign_id, 0), coalesce(contact_id, 0), coalesce(task_id, 0),
			customer_id, coalesce(interaction_id, 0), coalesce(agent_id, 0), phone, result, coalesce(provider_sid, ''), live
		FROM outreach_attempts WHERE id = $1 FOR UPDATE`, id).
		Scan(&a.ID, &a.CampaignID, &a.ContactID, &a.TaskID, &a.CustomerID, &a.InteractionID, &a.AgentID, &a.Phone,
			&a.Result, &a.SID, &a.Live)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, switchboard.Errorf(switchboard.ErrNotFound, "no attempt %d", id)
	}
	return a, err
}

// Answer is told that call attempt id was answered, by a person or a
// machine, and returns the TwiML for the call. A person is put in the
// interaction's conference and handed to routing, which offers the call to
// a campaign agent (or the task's agent) with the screen pop. A machine gets
// the campaign's voicemail, or is hung up on and retried.
func (d *Dialer) Answer(ctx context.Context, id int64, sid, answeredBy string) (string, error) {
	var task routing.Task
	var twiml string
	err := d.store.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		a, err := lockAttempt(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.SID != "" && a.SID != sid {
			return switchboard.Errorf(switchboard.ErrInvalid, "call %s is not attempt %d", sid, id)
		}
		if !a.Live || a.Result != "dialing" {
			twiml = "<Response><Hangup/></Response>"
			return nil
		}
		c, err := attemptCampaign(ctx, tx, a)
		if err != nil {
			return err
		}
		if strings.HasPrefix(answeredBy, "machine") || answeredBy == "fax" {
			twiml, err = machine(ctx, tx, now, a, c, answeredBy)
			return err
		}
		task, err = human(ctx, tx, now, a, c, d.cfg.Queue, sid, answeredBy)
		twiml = conferenceTwiML(task.InteractionID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("campaigns: answer of attempt %d: %w", id, err)
	}
	if task.InteractionID != 0 && d.Route != nil {
		if err := d.Route(ctx, task); err != nil {
			return "", fmt.Errorf("campaigns: route answered call %d: %w", task.InteractionID, err)
		}
	}
	return twiml, nil
}

func attemptCampaign(ctx context.Context, tx pgx.Tx, a attempt) (*Campaign, error) {
	if a.CampaignID == 0 {
		return nil, nil
	}
	return scanCampaign(tx.QueryRow(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = $1`, a.CampaignID))
}

func machine(ctx context.Context, tx pgx.Tx, now time.Time, a attempt, c *Campaign, by string) (string, error) {
	result, twiml := "machine", "<Response><Hangup/></Response>"
	if c != nil && c.Rules.MachineAction == "voicemail" {
		result, twiml = "voicemail", sayAndHangUp(c.Rules.Voicemail)
	}
	_, err := tx.Exec(ctx, `UPDATE outreach_attempts SET result = $2, answered_by = $3, answered_at = $4 WHERE id = $1`,
		a.ID, result, by, now)
	return twiml, err
}

// human records a person's answer and creates the outbound interaction
// routing will offer: a task's call to the task's agent, a campaign's call
// first to a free campaign agent (see campaignAgent), in the campaign's
// queue or, without one, in queue. Routing offers the call only to that
// agent for longer than an answered call may wait; with no agent free, it
// goes to whoever the queue has, because a call no one answers is an
// abandoned call.
func human(ctx context.Context, tx pgx.Tx, now time.Time, a attempt, c *Campaign, queue, sid, by string) (routing.Task, error) {
	cust, err := customers.ByID(ctx, tx, a.CustomerID)
	if err != nil {
		return routing.Task{}, err
	}
	in := &switchboard.Interaction{Channel: switchboard.ChannelVoice, Direction: switchboard.Outbound,
		State: switchboard.StateQueued, CustomerID: a.CustomerID, Tier: cust.Tier, To: a.Phone,
		ProviderSID: sid, Queue: queue}
	t := routing.Task{Channel: switchboard.ChannelVoice, Tier: in.Tier, CustomerID: a.CustomerID, EnqueuedAt: now}
	if c != nil && c.Queue != "" {
		in.Queue = c.Queue
	}
	if c != nil {
		in.From = c.CallerID
	}
	if a.TaskID != 0 {
		err = tx.QueryRow(ctx, `SELECT agent_id FROM outbound_tasks WHERE id = $1`, a.TaskID).Scan(&t.PreferredAgent)
	} else {
		t.PreferredAgent, err = campaignAgent(ctx, tx, c)
	}
	if err != nil {
		return t, err
	}
	data := map[string]any{"campaign_id": a.CampaignID, "attempt_id": a.ID, "task_id": a.TaskID, "answered_by": by}
	if err := channels.CreateInteraction(ctx, tx, now, in, "", data); err != nil {
		return t, err
	}
	t.InteractionID, t.Queue = in.ID, in.Queue
	_, err = tx.Exec(ctx, `UPDATE outreach_attempts SET result = 'answered', answered_by = $2, answered_at = $3,
		interaction_id = $4, provider_sid = coalesce(provider_sid, $5), offered_to = $6 WHERE id = $1`,
		a.ID, by, now, in.ID, sid, nilIfZero(t.PreferredAgent))
	if err == nil && a.ContactID != 0 {
		_, err = tx.Exec(ctx, `UPDATE campaign_contacts SET state = 'offered', updated_at = $2 WHERE id = $1`, a.ContactID, now)
	}
	return t, err
}

// conferenceTwiML holds the answered customer in the interaction's
// conference, where the agent's leg joins when the agent accepts. The voice
// channel's bridge then redirects the customer into the same conference;
// that exit must not end the conference, or the agent who has just joined
// is dropped. (The conference still ends when the customer hangs up while
// alone in it, and the bridge's own seat ends it on exit.)
func conferenceTwiML(interactionID int64) string {
	return fmt.Sprintf(`<Response><Dial><Conference startConferenceOnEnter="false" endConferenceOnExit="false">interaction-%d</Conference></Dial></Response>`, interactionID)
}

// Connected records that agent took answered call interactionID. Routing
// tells every process when an agent accepts; the process that hears it
// calls Connected. An interaction that is no campaign call is ignored.
func (d *Dialer) Connected(ctx context.Context, interactionID, agentID int64) error {
	now := d.store.Now()
	_, err := d.store.pool.Exec(ctx, `UPDATE outreach_attempts SET result = 'connected', agent_id = $2, agent_at = $3
		WHERE interaction_id = $1 AND result = 'answered'`, interactionID, nilIfZero(agentID), now)
	if err != nil {
		return fmt.Errorf("campaigns: connected %d: %w", interactionID, err)
	}
	return nil
}
