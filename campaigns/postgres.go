package campaigns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/interactions"
	"switchboard/pgdb"
)

// Store keeps campaigns, their contacts and attempts in Postgres. It is safe
// for concurrent use, by any number of processes.
type Store struct {
	pool  *pgxpool.Pool
	now   func() time.Time
	calls *interactions.Store // the interactions of answered calls, on the same pool and clock
}

// NewStore returns a store over pool. now is the clock every decision
// reads: time.Now, except in tests.
func NewStore(pool *pgxpool.Pool, now func() time.Time) *Store {
	return &Store{pool: pool, now: now, calls: interactions.NewStore(pool, now)}
}

// Now is the store's clock, in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx, now time.Time) error) error {
	now := s.Now()
	return pgdb.InTx(ctx, s.pool, func(tx pgx.Tx) error { return fn(tx, now) })
}

const campaignCols = `id, name, channel, state, audience, script, template, dial_mode, queue, agent_ids,
	starts_at, ends_at, window_start, window_end, window_days, max_attempts, retry_no_answer, retry_busy,
	retry_machine, machine_action, voicemail, abandon_cap, sms_per_minute, caller_id,
	coalesce(created_by, 0), created_at, updated_at`

func scanCampaign(row pgx.Row) (*Campaign, error) {
	var c Campaign
	var aud []byte
	var days []int32
	var na, busy, mach int
	err := row.Scan(&c.ID, &c.Name, &c.Channel, &c.State, &aud, &c.Script, &c.Template, &c.DialMode, &c.Queue,
		&c.AgentIDs, &c.StartsAt, &c.EndsAt, &c.Window.Start, &c.Window.End, &days, &c.Rules.MaxAttempts,
		&na, &busy, &mach, &c.Rules.MachineAction, &c.Rules.Voicemail, &c.Rules.AbandonCap,
		&c.Rules.SMSPerMinute, &c.CallerID, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(aud, &c.Audience); err != nil {
		return nil, fmt.Errorf("campaign %d audience: %w", c.ID, err)
	}
	for _, d := range days {
		c.Window.Days = append(c.Window.Days, time.Weekday(d))
	}
	c.Rules.RetryNoAnswer = time.Duration(na) * time.Second
	c.Rules.RetryBusy = time.Duration(busy) * time.Second
	c.Rules.RetryMachine = time.Duration(mach) * time.Second
	return &c, nil
}

// Create validates c and stores it as a draft, setting its ID. Bad input
// returns ErrInvalid and stores nothing.
func (s *Store) Create(ctx context.Context, c *Campaign) error {
	if c.Window.Days == nil && c.Window.Start == 0 && c.Window.End == 0 {
		c.Window = DefaultWindow()
	}
	if c.Rules == (Rules{}) {
		c.Rules = DefaultRules()
	}
	if c.Channel == switchboard.ChannelSMS {
		c.DialMode = Progressive
	}
	if err := c.Validate(); err != nil {
		return err
	}
	aud, err := json.Marshal(c.Audience)
	if err != nil {
		return fmt.Errorf("campaigns: create: %w", err)
	}
	days := make([]int32, len(c.Window.Days))
	for i, d := range c.Window.Days {
		days[i] = int32(d)
	}
	err = s.inTx(ctx, func(tx pgx.Tx, now time.Time) error {
		c.State, c.CreatedAt, c.UpdatedAt = Draft, now, now
		return tx.QueryRow(ctx, `INSERT INTO campaigns (name, channel, state, audience, script, template,
			dial_mode, queue, agent_ids, starts_at, ends_at, window_start, window_end, window_days, max_attempts,
			retry_no_answer, retry_busy, retry_machine, machine_action, voicemail, abandon_cap, sms_per_minute,
			caller_id, created_by, created_at, updated_at)
			VALUES ($1,$2,'draft',$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$24)
			RETURNING id`,
			c.Name, c.Channel, aud, c.Script, c.Template, c.DialMode, c.Queue, nonNil(c.AgentIDs), c.StartsAt,
			c.EndsAt, c.Window.Start, c.Window.End, days, c.Rules.MaxAttempts, secs(c.Rules.RetryNoAnswer),
			secs(c.Rules.RetryBusy), secs(c.Rules.RetryMachine), c.Rules.MachineAction, c.Rules.Voicemail,
			c.Rules.AbandonCap, c.Rules.SMSPerMinute, c.CallerID, nilIfZero(c.CreatedBy), now).Scan(&c.ID)
	})
	if err != nil {
		return fmt.Errorf("campaigns: create: %w", pgdb.FormatError(err))
	}
	return nil
}

// Get returns campaign id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (*Campaign, error) {
	c, err := scanCampaign(s.pool.QueryRow(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.Errorf(switchboard.ErrNotFound, "no campaign %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("campaigns: get %d: %w", id, err)
	}
	return c, nil
}

// Filter selects campaigns for List; the zero value lists all, newest first.
type Filter struct {
	States []State
	Limit  int
}

// List returns the campaigns f selects.
func (s *Store) List(ctx context.Context, f Filter) ([]*Campaign, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	rows, err := s.pool.Query(ctx, `SELECT `+campaignCols+` FROM campaigns
		WHERE cardinality($1::text[]) = 0 OR state = ANY($1) ORDER BY id DESC LIMIT $2`, strs(f.States), f.Limit)
	if err != nil {
		return nil, fmt.Errorf("campaigns: list: %w", err)
	}
	defer rows.Close()
	var out []*Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("campaigns: list: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func secs(d time.Duration) int { return int(d / time.Second) }

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

func nilIfZero(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
