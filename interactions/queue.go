package interactions

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard/routing"
)

// Refused decides what becomes of an interaction whose task routing
// refuses (Prepare: an unknown queue, channel or tier). Returning nil
// commits the interaction as stored, queued but with no place in routing
// (as a failed Enqueue would leave it), which suits a customer's text or
// chat: it is never lost for the bank's configuration. Returning an error
// fails the whole transaction. A nil Refused returns err.
type Refused func(t routing.Task, err error) error

// Queued is an interaction that StoreAndQueue stored and queued, to hand to
// routing once the transaction has committed.
type Queued struct {
	Task   routing.Task
	router *routing.Engine
	record *routing.Queued // nil when routing refused the task, or there is no router
}

// Routed reports whether routing took the task: its queued record is
// committed, and Route hands it to Redis.
func (q Queued) Routed() bool { return q.record != nil }

// Route hands the committed interaction to routing, which queues it and
// tries to match it at once. It does nothing for a task routing refused.
// A failure loses nothing: the interaction is committed as queued with its
// record, and routing rebuilds its queues from Postgres. Errors as
// routing.Engine.Route's.
func (q Queued) Route(ctx context.Context) error {
	if q.record == nil {
		return nil
	}
	return q.router.Route(ctx, *q.record)
}

// StoreAndQueue is the one way an interaction is stored and queued: in one
// transaction, with "now" fixed, it runs store (which writes the
// interactions, their events and messages, and returns the routing tasks
// of those that must wait for an agent), then writes routing's queued
// record of every task (routing.Engine.Prepare, RecordQueued, one round
// trip for all of them), then commits. It returns, after the commit, one
// Queued per task, in order, to Route when the caller has answered what it
// must answer first. With a nil router the interactions are stored and not
// queued (a dialer with no routing connected); their Queued route nothing.
// Errors: store's, refused's, and RecordQueued's (ErrNotFound when a
// task's interaction does not exist, ErrConflict when it has ended).
func (s *Store) StoreAndQueue(ctx context.Context, router *routing.Engine, refused Refused,
	store func(tx pgx.Tx, now time.Time) ([]routing.Task, error)) ([]Queued, error) {
	var qs []Queued
	err := s.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		tasks, err := store(tx, now)
		if err != nil {
			return err
		}
		qs, err = queue(ctx, tx, router, refused, tasks)
		return err
	})
	if err != nil {
		return nil, err
	}
	return qs, nil
}

// queue prepares tasks and writes the queued records of those routing
// takes, in tx.
func queue(ctx context.Context, tx pgx.Tx, router *routing.Engine, refused Refused, tasks []routing.Task) ([]Queued, error) {
	qs := make([]Queued, len(tasks))
	var records []routing.Queued
	for i, t := range tasks {
		qs[i] = Queued{Task: t, router: router}
		if router == nil {
			continue
		}
		r, err := router.Prepare(ctx, t)
		if err != nil {
			if refused == nil {
				return nil, err
			}
			if err := refused(t, err); err != nil {
				return nil, err
			}
			continue
		}
		qs[i].record = &r
		records = append(records, r)
	}
	if len(records) == 0 {
		return qs, nil
	}
	if err := router.RecordQueued(ctx, tx, records); err != nil {
		return nil, fmt.Errorf("interactions: queue: %w", err)
	}
	return qs, nil
}
