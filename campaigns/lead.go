package campaigns

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// Lead is an opportunity an agent found during a contact: for the customer,
// or for someone the customer referred (her daughter, who is buying a flat
// and needs a mortgage).
type Lead struct {
	ID            int64     `json:"id,omitempty"`
	CustomerID    int64     `json:"customer_id"`
	Product       string    `json:"product"` // e.g. mortgage, wealth, card
	ProspectName  string    `json:"prospect_name,omitempty"`
	Relation      string    `json:"relation,omitempty"` // daughter, son, spouse…
	ProspectPhone string    `json:"prospect_phone,omitempty"`
	Note          string    `json:"note,omitempty"`
	AgentID       int64     `json:"agent_id,omitempty"`
	TaskID        int64     `json:"task_id,omitempty"`
	CampaignID    int64     `json:"campaign_id,omitempty"`
	Status        string    `json:"status,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// TaskOutcome is what an agent records when a task's contact is over.
type TaskOutcome struct {
	Disposition
	Lead *Lead `json:"lead,omitempty"`
}

// CompleteTask records the outcome of agent's task id: its disposition
// (for a campaign preview, also the contact's), the note, and a lead.
// A callback keeps a triggered task open, due at the callback time.
func (s *Store) CompleteTask(ctx context.Context, agent *switchboard.Agent, id int64, o TaskOutcome) (*Lead, error) {
	err := s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		if err := o.validate(now); err != nil {
			return err
		}
		t, err := lockTask(ctx, tx, agent, id)
		if err != nil {
			return err
		}
		if t.State == "done" || t.State == "cancelled" {
			return switchboard.Errorf(switchboard.ErrConflict, "task %d is already %s", id, t.State)
		}
		if err := finishTask(ctx, tx, now, agent, t, o); err != nil {
			return err
		}
		if o.Lead != nil {
			o.Lead.CustomerID, o.Lead.AgentID, o.Lead.TaskID, o.Lead.CampaignID = t.CustomerID, agent.ID, t.ID, t.CampaignID
			return insertLead(ctx, tx, now, o.Lead)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("campaigns: complete task %d: %w", id, pgdb.FormatError(err))
	}
	return o.Lead, nil
}

func finishTask(ctx context.Context, tx pgx.Tx, now time.Time, agent *switchboard.Agent, t Task, o TaskOutcome) error {
	var interaction int64
	var phone string
	err := tx.QueryRow(ctx, `SELECT coalesce((SELECT interaction_id FROM outreach_attempts WHERE task_id = $1
			AND interaction_id IS NOT NULL ORDER BY id DESC LIMIT 1), 0), coalesce(phone, '') FROM customers WHERE id = $2`,
		t.ID, t.CustomerID).Scan(&interaction, &phone)
	if err != nil {
		return err
	}
	if o.Code == Callback && t.CampaignID == 0 {
		_, err = tx.Exec(ctx, `UPDATE outbound_tasks SET state = 'open', due_at = $2, disposition = $3 WHERE id = $1`,
			t.ID, o.CallbackAt, o.Code)
	} else {
		_, err = tx.Exec(ctx, `UPDATE outbound_tasks SET state = 'done', disposition = $2, done_at = $3 WHERE id = $1`,
			t.ID, o.Code, now)
	}
	if err != nil {
		return err
	}
	if t.ContactID != 0 {
		if err := applyDisposition(ctx, tx, now, t.ContactID, o.Disposition); err != nil {
			return err
		}
	}
	return afterContact(ctx, tx, now, agent.ID, t.CustomerID, interaction, phone, o.Disposition)
}

func (o TaskOutcome) validate(now time.Time) error {
	if err := o.Disposition.validate(now); err != nil {
		return err
	}
	if o.Lead == nil {
		return nil
	}
	l := o.Lead
	l.Product, l.ProspectName, l.Relation = strings.TrimSpace(l.Product), strings.TrimSpace(l.ProspectName), strings.TrimSpace(l.Relation)
	switch {
	case l.Product == "" || len(l.Product) > 60:
		return invalid("a lead needs a product of at most 60 characters")
	case len(l.ProspectName) > 200 || len(l.Relation) > 60 || len(l.Note) > 4000:
		return invalid("a lead's name, relation or note is too long")
	}
	return nil
}

func insertLead(ctx context.Context, tx pgx.Tx, now time.Time, l *Lead) error {
	l.Status, l.CreatedAt = "new", now
	return tx.QueryRow(ctx, `INSERT INTO leads (customer_id, product, prospect_name, relation, prospect_phone, note,
			agent_id, task_id, campaign_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		l.CustomerID, l.Product, l.ProspectName, l.Relation, l.ProspectPhone, l.Note, l.AgentID, nilIfZero(l.TaskID),
		nilIfZero(l.CampaignID), now).Scan(&l.ID)
}

// Leads returns customer id's leads, newest first.
func (s *Store) Leads(ctx context.Context, customerID int64) ([]Lead, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, customer_id, product, prospect_name, relation, prospect_phone, note,
			agent_id, coalesce(task_id, 0), coalesce(campaign_id, 0), status, created_at
		FROM leads WHERE customer_id = $1 ORDER BY created_at DESC, id DESC LIMIT 100`, customerID)
	if err != nil {
		return nil, fmt.Errorf("campaigns: leads of %d: %w", customerID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Lead, error) {
		var l Lead
		err := r.Scan(&l.ID, &l.CustomerID, &l.Product, &l.ProspectName, &l.Relation, &l.ProspectPhone, &l.Note,
			&l.AgentID, &l.TaskID, &l.CampaignID, &l.Status, &l.CreatedAt)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("campaigns: leads of %d: %w", customerID, err)
	}
	return out, nil
}
