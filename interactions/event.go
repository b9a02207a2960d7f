package interactions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/pgdb"
)

// Kind is what an interaction_events row records.
type Kind string

// The kinds written through this package.
const (
	KindCreated           Kind = "created"            // the interaction was stored; data is the channel's
	KindAbandoned         Kind = "abandoned"          // the customer left (EndBeforeRouting; routing writes it too)
	KindReopened          Kind = "reopened"           // a reply to a campaign text queued its interaction again (sms_receive)
	KindIVR               Kind = "ivr"                // an answer to the voice menu (RecordIVR)
	KindCallbackRequested Kind = "callback_requested" // the caller chose to be called back (RequestCallback)
	KindCustomerLinked    Kind = "customer_linked"    // an agent identified the customer (LinkCustomer)
	KindTransferRequested Kind = "transfer_requested" // who moved it where, and the handover note
	KindHold              Kind = "hold"               // the agent put the call on hold
	KindResume            Kind = "resume"             // and took it off
	KindWrapUpRecorded    Kind = "wrapup_recorded"    // the agent's disposition, notes and follow-up
	KindBridging          Kind = "bridging"           // the call's legs joined the conference; data names them
	KindBridgeFailed      Kind = "bridge_failed"
	KindLegEnded          Kind = "leg_ended" // a call leg ended a bridged conversation
	KindConferenceStarted Kind = "conference_started"
	KindConferenceEnded   Kind = "conference_ended"
	KindConferenceJoined  Kind = "conference_joined"
	KindConferenceLeft    Kind = "conference_left"
)

// The kinds routing writes itself (see the package doc), equal to its
// event names but for KindOffered (routing.EventOffer).
const (
	KindQueued         Kind = "queued"
	KindOffered        Kind = "offered"
	KindOfferWithdrawn Kind = "offer_withdrawn"
	KindAccepted       Kind = "accepted"
	KindWrapUp         Kind = "wrapup"
	KindDone           Kind = "done"
	KindTransferred    Kind = "transferred"
	KindOverflowed     Kind = "overflowed"
)

// AddEvent appends one interaction_events row; agentID 0 is none.
func AddEvent(ctx context.Context, tx pgx.Tx, now time.Time, interactionID int64, kind Kind, agentID int64, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("interactions: event %s: %w", kind, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO interaction_events (interaction_id, at, kind, agent_id, data) VALUES ($1, $2, $3, $4, $5)`,
		interactionID, now, kind, nullID(agentID), b)
	if err != nil {
		return fmt.Errorf("interactions: interaction %d event %s: %w", interactionID, kind, pgdb.FormatError(err))
	}
	return nil
}

// LastEventData is the data of interaction id's latest event of kind.
// ErrNotFound if it has none.
func LastEventData(ctx context.Context, q pgdb.Querier, id int64, kind Kind) (json.RawMessage, error) {
	var raw json.RawMessage
	err := q.QueryRow(ctx, `SELECT data FROM interaction_events
		WHERE interaction_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1`, id, kind).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, switchboard.Errorf(switchboard.ErrNotFound, "interaction %d has no %s event", id, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("interactions: %s of %d: %w", kind, id, pgdb.FormatError(err))
	}
	return raw, nil
}

// WrapUpEnd is when interaction id's wrap-up ends, from routing's latest
// KindWrapUp record (its "x", in Unix milliseconds); zero if unknown.
func WrapUpEnd(ctx context.Context, q pgdb.Querier, id int64) (time.Time, error) {
	var x *int64
	err := q.QueryRow(ctx, `SELECT (data->>'x')::bigint FROM interaction_events
		WHERE interaction_id = $1 AND kind = 'wrapup' ORDER BY id DESC LIMIT 1`, id).Scan(&x)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && x == nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("interactions: wrap-up end of %d: %w", id, err)
	}
	return time.UnixMilli(*x), nil
}

// ConferenceEventSeen reports whether interaction id has recorded the
// conference callback of kind numbered seq for conference sid: Twilio
// retries a callback it thinks failed, and the history keeps it once.
func ConferenceEventSeen(ctx context.Context, q pgdb.Querier, id int64, kind Kind, sid string, seq int) (bool, error) {
	var seen bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM interaction_events WHERE interaction_id = $1 AND kind = $2
		AND data->>'conference_sid' = $3 AND (data->>'seq')::int = $4)`, id, kind, sid, seq).Scan(&seen)
	if err != nil {
		return false, fmt.Errorf("interactions: conference events of %d: %w", id, pgdb.FormatError(err))
	}
	return seen, nil
}

// Handover is one move of an interaction between agents or queues, as the
// desk shows it to the next agent: a transfer with the handing agent's
// note, or an overflow to another queue (the note of the transfer before
// it still shows, so an overflowed transfer keeps its context).
type Handover struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // transfer or overflow
	By      string    `json:"by,omitempty"`
	Mode    string    `json:"mode,omitempty"` // warm or cold
	Note    string    `json:"note,omitempty"`
	ToQueue string    `json:"to_queue,omitempty"`
	ToAgent string    `json:"to_agent,omitempty"`
}

// Handovers reads interaction id's transfers (KindTransferRequested) and
// overflows (KindOverflowed), oldest first, at most 50, with the names of
// the agents involved.
func Handovers(ctx context.Context, q pgdb.Querier, id int64) ([]Handover, error) {
	rows, err := q.Query(ctx, `SELECT e.at, CASE e.kind WHEN 'overflowed' THEN 'overflow' ELSE 'transfer' END,
			COALESCE(a.name, ''), COALESCE(e.data->>'mode', ''), COALESCE(e.data->>'note', ''),
			COALESCE(NULLIF(e.data->>'to_queue', ''), e.data->>'queue', ''), COALESCE(t.name, '')
		FROM interaction_events e
		LEFT JOIN agents a ON a.id = e.agent_id AND e.kind = 'transfer_requested'
		LEFT JOIN agents t ON t.id = NULLIF(e.data->>'to_agent', '')::bigint
		WHERE e.interaction_id = $1 AND e.kind IN ('transfer_requested', 'overflowed')
		ORDER BY e.id LIMIT 50`, id)
	if err != nil {
		return nil, fmt.Errorf("interactions: handovers of %d: %w", id, err)
	}
	hs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Handover, error) {
		var h Handover
		err := r.Scan(&h.At, &h.Kind, &h.By, &h.Mode, &h.Note, &h.ToQueue, &h.ToAgent)
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("interactions: handovers of %d: %w", id, err)
	}
	return hs, nil
}
