package customers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"switchboard"
	"switchboard/pgdb"
	"switchboard/phone"
)

// Who may read a customer through the API (one agent once read all 2,001
// customers of a bank in 20 s): supervisors and administrators, for
// oversight; an RM, the customers of their own book; an agent or RM, the
// customer of an interaction offered to them or held by them (or ended in
// the last day, for its follow-up), of an outbound task of theirs, or one
// their own search found in the last half hour. Marketing works with
// segments and never reads one customer. The desk's screen pop and task
// pop read through View directly: routing has just offered the viewer that
// customer's interaction.
const (
	searchesPerMinute = 20 // per member of staff, across nodes
	foundFor          = 30 * time.Minute
	heldFor           = 24 * time.Hour
	unusualPerHour    = 300 // customer reads by one member of staff
)

// ReadView is View for a client of the API: it answers ErrForbidden unless
// viewer has a reason to read customer id (see the rule above).
func (s *Service) ReadView(ctx context.Context, viewer *switchboard.Agent, id int64, reason string) (*View, error) {
	if err := s.mayRead(ctx, viewer, id); err != nil {
		return nil, fmt.Errorf("customers: view %d: %w", id, err)
	}
	return s.View(ctx, viewer, id, reason)
}

// ReadByPhone is LookupByPhone for a client of the API: a search by exact
// number, counted, throttled and audited as a search (with the number and
// the customer found), after which the customer may be read.
func (s *Service) ReadByPhone(ctx context.Context, viewer *switchboard.Agent, raw, reason string) (*View, error) {
	if err := s.maySearch(ctx, viewer); err != nil {
		return nil, fmt.Errorf("customers: lookup by phone: %w", err)
	}
	id, err := s.idByPhone(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("customers: lookup by phone: %w", err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO audit_log (at, agent_id, action, reason, detail)
		VALUES ($1, $2, 'customer.search', 'lookup', jsonb_build_object('via', 'phone', 'q', $3::text, 'hits', 1, 'ids', jsonb_build_array($4::bigint)))`,
		s.now().UTC(), viewer.ID, raw, id)
	if err != nil {
		return nil, fmt.Errorf("customers: lookup by phone: %w", pgdb.FormatError(err))
	}
	return s.View(ctx, viewer, id, reason)
}

// maySearch refuses marketing, which never looks for one customer, and a
// member of staff over searchesPerMinute.
func (s *Service) maySearch(ctx context.Context, viewer *switchboard.Agent) error {
	if viewer == nil {
		return switchboard.Errorf(switchboard.ErrUnauthorized, "who is searching is unknown")
	}
	if viewer.Role == switchboard.RoleMarketing {
		return switchboard.Errorf(switchboard.ErrForbidden, "marketing works with segments, not with searches for one customer")
	}
	return s.throttleSearch(ctx, viewer)
}

// mayRead returns nil when viewer may read customer id through the API.
func (s *Service) mayRead(ctx context.Context, viewer *switchboard.Agent, id int64) error {
	if viewer == nil {
		return switchboard.Errorf(switchboard.ErrUnauthorized, "who is reading the customer view is unknown")
	}
	switch viewer.Role {
	case switchboard.RoleSupervisor, switchboard.RoleAdmin:
		return nil
	case switchboard.RoleMarketing:
		return switchboard.Errorf(switchboard.ErrForbidden, "marketing works with segments and campaign results, not with one customer's view")
	}
	var exists, ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customers WHERE id = $1),
		EXISTS (SELECT 1 FROM customers WHERE id = $1 AND rm_id = $2)
		OR EXISTS (SELECT 1 FROM interactions WHERE customer_id = $1 AND agent_id = $2
			AND (state IN ('offered', 'connected', 'wrapup') OR ended_at > $3::timestamptz - $4::interval))
		OR EXISTS (SELECT 1 FROM interactions i JOIN interaction_events e ON e.interaction_id = i.id
			WHERE i.customer_id = $1 AND e.agent_id = $2 AND e.kind = 'offered' AND e.at > $3::timestamptz - $4::interval)
		OR EXISTS (SELECT 1 FROM outbound_tasks WHERE customer_id = $1 AND agent_id = $2)
		OR EXISTS (SELECT 1 FROM audit_log WHERE agent_id = $2 AND action = 'customer.search'
			AND at > $3::timestamptz - $5::interval AND detail->'ids' @> to_jsonb($1::bigint))`,
		id, viewer.ID, s.now().UTC(), heldFor, foundFor).Scan(&exists, &ok)
	if err != nil {
		return pgdb.FormatError(err)
	}
	if !exists {
		return switchboard.Errorf(switchboard.ErrNotFound, "no customer with this id")
	}
	if !ok {
		return switchboard.Errorf(switchboard.ErrForbidden,
			"customer %d is not one of your interactions, tasks, book or recent searches", id)
	}
	return nil
}

// idByPhone resolves a number written in any common format to its customer.
func (s *Service) idByPhone(ctx context.Context, raw string) (int64, error) {
	e164, err := phone.Normalize(raw, s.region)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.pool.QueryRow(ctx, selectByPhone, e164).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, switchboard.Errorf(switchboard.ErrNotFound, "no customer with this phone")
	}
	if err != nil {
		return 0, pgdb.FormatError(err)
	}
	return id, nil
}

// throttleSearch refuses a search beyond searchesPerMinute for viewer, from
// the audit log, so the count holds across nodes.
func (s *Service) throttleSearch(ctx context.Context, viewer *switchboard.Agent) error {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE agent_id = $1 AND action = 'customer.search'
		AND at > $2::timestamptz - interval '1 minute'`, viewer.ID, s.now().UTC()).Scan(&n)
	if err != nil {
		return pgdb.FormatError(err)
	}
	if n >= searchesPerMinute {
		return switchboard.Throttled(time.Minute, "at most %d customer searches a minute", searchesPerMinute)
	}
	return nil
}

// queueVolumeCheck adds to b, the view's own batch (no extra round trip on
// the screen pop), the alert raised once an hour per member of staff when
// viewer has read more customers in the last hour than anyone's work
// needs: an audit row compliance can query, and a warning in the log.
func (s *Service) queueVolumeCheck(b *pgx.Batch, viewer *switchboard.Agent, now time.Time) {
	b.Queue(`INSERT INTO audit_log (at, agent_id, action, reason, detail)
		SELECT $2, $1, 'customer.volume_alert', 'unusual volume', jsonb_build_object('reads_last_hour', n)
		FROM (SELECT count(*) AS n FROM audit_log WHERE agent_id = $1 AND action = 'customer.view'
			AND at > $2::timestamptz - interval '1 hour') r
		WHERE n > $3 AND NOT EXISTS (SELECT 1 FROM audit_log WHERE agent_id = $1 AND action = 'customer.volume_alert'
			AND at > $2::timestamptz - interval '1 hour')`, viewer.ID, now, unusualPerHour).
		Exec(func(tag pgconn.CommandTag) error {
			if tag.RowsAffected() > 0 {
				s.log.Warn("customers: unusual volume of customer reads", "agent", viewer.ID, "role", viewer.Role,
					"over", unusualPerHour, "per", "hour")
			}
			return nil
		})
}
