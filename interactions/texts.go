package interactions

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/pgdb"
)

// textsSQL defines sms_receive and sms_receive_all: how a customer's text
// is stored and which thread it joins, in one statement and one round trip
// (the rules are listed in the SMS channel's package doc, twiliosms).
//
//go:embed texts.sql
var textsSQL string

// PrepareTexts defines in Postgres the functions ReceiveTexts calls, so
// that on every node they exist, and match this code, before the first
// text is stored; several nodes may start at once (pgdb.Define). It needs
// the migrations applied and customers.Prepare run (the sender is found
// by customers' rule).
func PrepareTexts(ctx context.Context, pool *pgxpool.Pool) error {
	if err := pgdb.Define(ctx, pool, textsSQL); err != nil {
		return fmt.Errorf("interactions: define sms_receive: %w", err)
	}
	return nil
}

// Text is one customer text to store.
type Text struct {
	SID     string   `json:"sid"`
	From    string   `json:"from"`
	To      string   `json:"to"`
	Body    string   `json:"body"`
	Media   []string `json:"media"`
	Keyword string   `json:"keyword"` // "", "stop", "start" or "help"
	Word    string   `json:"word"`    // the keyword as typed
}

// TextStored is what storing one text did.
type TextStored struct {
	Dup         bool  // a retry of a stored text: nothing changed
	MessageID   int64 // 0 for a keyword alone, kept as a consent change
	Interaction int64 // the thread
	AgentID     int64 // who holds the thread, or 0
	New         bool  // the thread was opened or reopened: route it
	CustomerID  int64
	Tier        switchboard.ValueTier
	RMID        int64
}

// ReceiveTexts stores texts in tx, in order, with one call of
// sms_receive_all: a thread joins the number's open SMS interaction whose
// last message is since or later, or opens (or reopens a campaign's)
// thread in queue. It returns one answer per text.
func ReceiveTexts(ctx context.Context, tx pgx.Tx, texts []Text, since time.Time, queue string, now time.Time) ([]TextStored, error) {
	for i := range texts {
		if texts[i].Media == nil {
			texts[i].Media = []string{}
		}
	}
	arg, err := json.Marshal(texts)
	if err != nil {
		return nil, fmt.Errorf("interactions: encode texts: %w", err)
	}
	rows, err := tx.Query(ctx, `SELECT * FROM sms_receive_all($1, $2, $3, $4)`, arg, since, queue, now)
	if err != nil {
		return nil, fmt.Errorf("interactions: receive texts: %w", err)
	}
	defer rows.Close()
	out := make([]TextStored, 0, len(texts))
	for rows.Next() {
		s := TextStored{Tier: switchboard.TierMass}
		if err := rows.Scan(&s.Dup, &s.MessageID, &s.Interaction, &s.AgentID, &s.New,
			&s.CustomerID, &s.Tier, &s.RMID); err != nil {
			return nil, fmt.Errorf("interactions: receive texts: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("interactions: receive texts: %w", err)
	}
	if len(out) != len(texts) {
		return nil, fmt.Errorf("interactions: %d answers for %d texts", len(out), len(texts))
	}
	return out, nil
}
