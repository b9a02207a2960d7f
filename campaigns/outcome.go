package campaigns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/customers"
	"switchboard/interactions"
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

// Answered is what the dialer decided for an answered call: the customer
// waits for an agent in the conference of interaction Interaction or, when
// it is 0, hears Say (if not empty) and is hung up on. Calls.Answer says it
// to Twilio.
type Answered struct {
	Interaction int64
	Say         string
}

// Answer is told that call attempt id was answered, by a person or a
// machine, and decides what the call does. A person waits in the
// interaction's conference and is handed to routing, which offers the call
// to a campaign agent (or the task's agent) with the screen pop. A machine
// gets the campaign's voicemail, or is hung up on and retried.
//
// A person's call is stored and queued in the answer's one commit
// (StoreAndQueue), then handed to Route. A task routing refuses leaves the
// call stored and answered, and the answer fails after the commit.
func (d *Dialer) Answer(ctx context.Context, id int64, sid, answeredBy string) (Answered, error) {
	var ans Answered
	var refusal error
	refused := func(_ routing.Task, err error) error { refusal = err; return nil }
	qs, err := d.store.calls.StoreAndQueue(ctx, d.engine, refused, func(tx pgx.Tx, now time.Time) ([]routing.Task, error) {
		a, err := lockAttempt(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if a.SID != "" && a.SID != sid {
			return nil, switchboard.Errorf(switchboard.ErrInvalid, "call %s is not attempt %d", sid, id)
		}
		if !a.Live || a.Result != "dialing" {
			return nil, nil // hang up
		}
		c, err := attemptCampaign(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(answeredBy, "machine") || answeredBy == "fax" {
			ans.Say, err = machine(ctx, tx, now, a, c, answeredBy)
			return nil, err
		}
		task, err := human(ctx, tx, now, a, c, d.cfg.Queue, sid, answeredBy)
		ans.Interaction = task.InteractionID
		return []routing.Task{task}, err
	})
	if err != nil {
		return Answered{}, fmt.Errorf("campaigns: answer of attempt %d: %w", id, err)
	}
	for _, q := range qs {
		if refusal != nil {
			return Answered{}, fmt.Errorf("campaigns: route answered call %d: %w", q.Task.InteractionID, refusal)
		}
		if d.Route == nil {
			continue
		}
		if err := d.Route(ctx, q); err != nil {
			return Answered{}, fmt.Errorf("campaigns: route answered call %d: %w", q.Task.InteractionID, err)
		}
	}
	return ans, nil
}

func attemptCampaign(ctx context.Context, tx pgx.Tx, a attempt) (*Campaign, error) {
	if a.CampaignID == 0 {
		return nil, nil
	}
	return scanCampaign(tx.QueryRow(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = $1`, a.CampaignID))
}

// machine records a machine's answer and returns what it is told before
// the hang-up: the campaign's voicemail, or nothing.
func machine(ctx context.Context, tx pgx.Tx, now time.Time, a attempt, c *Campaign, by string) (string, error) {
	result, say := "machine", ""
	if c != nil && c.Rules.MachineAction == "voicemail" {
		result, say = "voicemail", c.Rules.Voicemail
	}
	_, err := tx.Exec(ctx, `UPDATE outreach_attempts SET result = $2, answered_by = $3, answered_at = $4 WHERE id = $1`,
		a.ID, result, by, now)
	return say, err
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
	if err := interactions.Create(ctx, tx, now, in, "", data); err != nil {
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
