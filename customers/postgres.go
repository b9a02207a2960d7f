package customers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/pgdb"
	"switchboard/phone"
)

// Config is what a Service needs besides its pool.
type Config struct {
	// DefaultRegion is the ISO 3166 region assumed for phone numbers written
	// without a country code ("CN" when empty).
	DefaultRegion string
	// Now is the clock; time.Now when nil. Tests fix it.
	Now func() time.Time
	// Log gets the alerts on unusual volumes of reads; none when nil.
	Log *slog.Logger
}

// Service reads and tiers customers in Postgres. It is safe for concurrent
// use.
type Service struct {
	pool   *pgxpool.Pool
	region string
	now    func() time.Time
	log    *slog.Logger
}

// NewService returns a Service over pool.
func NewService(pool *pgxpool.Pool, cfg Config) *Service {
	s := &Service{pool: pool, region: cfg.DefaultRegion, now: cfg.Now, log: cfg.Log}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.region == "" {
		s.region = "CN"
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// maxReason bounds the free-text reason recorded in the audit log.
const maxReason = 200

// View returns the unified view of customer id as viewer may see it, and
// records the read in the audit log with reason ("view" when empty). It
// returns ErrNotFound for an unknown customer (and then writes nothing),
// ErrInvalid for an unusable reason, ErrUnauthorized without a viewer.
func (s *Service) View(ctx context.Context, viewer *switchboard.Agent, id int64, reason string) (*View, error) {
	v, err := s.view(ctx, viewer, selectByID, id, reason, "id")
	if err != nil {
		return nil, fmt.Errorf("customers: view %d: %w", id, err)
	}
	return v, nil
}

// LookupByPhone is View for the customer who owns the number raw, written
// in any common format, as ByPhone finds them. It returns ErrInvalid for a
// malformed number and ErrNotFound for one no customer has.
func (s *Service) LookupByPhone(ctx context.Context, viewer *switchboard.Agent, raw, reason string) (*View, error) {
	e164, err := phone.Normalize(raw, s.region)
	if err != nil {
		return nil, fmt.Errorf("customers: lookup by phone: %w", err)
	}
	v, err := s.view(ctx, viewer, selectByPhone, e164, reason, "phone")
	if err != nil {
		return nil, fmt.Errorf("customers: lookup by phone: %w", err)
	}
	return v, nil
}

// The two ways a view finds its customer, each a subquery on $1 giving
// its id, or no row. By phone is ByPhone's rule (customer_by_phone.sql).
const (
	selectByID    = `SELECT id FROM customers WHERE id = $1::bigint`
	selectByPhone = `SELECT id FROM customer_by_phone($1::text)`
)

func cleanReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "view", nil
	}
	if len(reason) > maxReason || strings.ContainsFunc(reason, unicode.IsControl) {
		return "", switchboard.Errorf(switchboard.ErrInvalid, "reason must be one line of at most %d bytes", maxReason)
	}
	return reason, nil
}

// view reads everything in one round trip: a batch of queries that each find
// the customer through sel, plus the audit row, in one implicit transaction.
func (s *Service) view(ctx context.Context, viewer *switchboard.Agent, sel string, key any, reason, via string) (*View, error) {
	if viewer == nil {
		return nil, switchboard.Errorf(switchboard.ErrUnauthorized, "who is reading the customer view is unknown")
	}
	reason, err := cleanReason(reason)
	if err != nil {
		return nil, err
	}
	v := &View{ViewedAt: s.now().UTC()}
	var rmID int64
	b := &pgx.Batch{}
	queueProfile(b, sel, key, v, &rmID)
	queueAccounts(b, sel, key, v)
	queueContacts(b, sel, key, v)
	queueComplaints(b, sel, key, v)
	queueNotes(b, sel, key, v)
	queueConsent(b, sel, key, v)
	queueAlerts(b, sel, key, v)
	b.Queue(`INSERT INTO audit_log (at, agent_id, action, customer_id, reason, detail)
		SELECT $2, $3, 'customer.view', id, $4, jsonb_build_object('via', $5::text) FROM (`+sel+`) c WHERE id IS NOT NULL`,
		key, v.ViewedAt, viewer.ID, reason, via)
	s.queueVolumeCheck(b, viewer, v.ViewedAt)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, switchboard.Errorf(switchboard.ErrNotFound, "no customer with this %s", via)
		}
		return nil, pgdb.FormatError(err)
	}
	v.Holdings = summarise(v.Customer, v.Accounts)
	maskView(v, viewer, rmID)
	return v, nil
}
