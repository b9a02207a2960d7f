package interactions

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"switchboard"
)

// Reply is an agent's text to the customer of an interaction, before it is
// delivered.
type Reply struct {
	Channel       switchboard.Channel
	AgentID       int64
	InteractionID int64
	Body          string
	ClientMsgID   string // the desk's id: a resend finds the first; "" turns this off
	Status        string // the stored message's first status
	MaxRunes      int
}

// StoreReply checks and stores an agent's reply in one transaction: the
// interaction must be of r.Channel, live and held by the agent, and check
// (the channel's own rule, such as SMS consent) must pass. It returns the
// stored message, the interaction, and dup when the client message id was
// stored before (the reply must then not be delivered again). The unique
// (interaction_id, client_msg_id) index decides, so concurrent resends
// cannot both deliver.
// Errors: ErrInvalid (empty or over-long body, wrong channel), ErrNotFound,
// ErrForbidden (not the agent's, or check's refusal), ErrConflict (ended).
func (s *Store) StoreReply(ctx context.Context, r Reply, check func(pgx.Tx, Live) error) (Message, Live, bool, error) {
	body := strings.TrimSpace(r.Body)
	if body == "" || !utf8.ValidString(body) || utf8.RuneCountInString(body) > r.MaxRunes {
		return Message{}, Live{}, false, switchboard.Errorf(switchboard.ErrInvalid, "a reply is 1 to %d characters of text", r.MaxRunes)
	}
	m := Message{InteractionID: r.InteractionID, Direction: switchboard.Outbound, AgentID: r.AgentID, Body: body,
		ClientMsgID: r.ClientMsgID, Status: r.Status}
	var l Live
	dup := false
	err := s.InTx(ctx, func(tx pgx.Tx, now time.Time) error {
		var err error
		if l, err = LoadForUpdate(ctx, tx, r.InteractionID); err != nil {
			return err
		}
		if l.Channel != r.Channel {
			return switchboard.Errorf(switchboard.ErrInvalid, "interaction %d is a %s, not %s", l.ID, l.Channel, r.Channel)
		}
		if l.State.Terminal() {
			return switchboard.Errorf(switchboard.ErrConflict, "interaction %d has ended", l.ID)
		}
		if err := CheckAgent(ctx, tx, l, r.AgentID); err != nil {
			return err
		}
		if check != nil {
			if err := check(tx, l); err != nil {
				return err
			}
		}
		dup, err = InsertMessage(ctx, tx, now, &m)
		return err
	})
	return m, l, dup, err
}
