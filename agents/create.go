package agents

import (
	"context"
	"fmt"

	"switchboard"
	"switchboard/pgdb"
)

// NewAgent is what Create needs to add a member of staff.
type NewAgent struct {
	Username  string
	Name      string
	Password  string
	Role      switchboard.Role
	TeamID    int64
	Skills    []string
	Languages []string
	Tiers     []switchboard.ValueTier
	Capacity  map[switchboard.Channel]int // nil: DefaultCapacity
}

// Create adds an agent and returns it. A taken username is ErrConflict; a
// bad role, username or capacity is ErrInvalid.
func (s *Store) Create(ctx context.Context, n NewAgent) (*switchboard.Agent, error) {
	if _, err := switchboard.ParseRole(string(n.Role)); err != nil {
		return nil, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return nil, err
	}
	capacity := n.Capacity
	if capacity == nil {
		capacity = switchboard.DefaultCapacity()
	}
	tiers := make([]string, len(n.Tiers))
	for i, t := range n.Tiers {
		tiers[i] = string(t)
	}
	var team *int64
	if n.TeamID != 0 {
		team = &n.TeamID
	}
	var id int64
	err = s.pool.QueryRow(ctx, `INSERT INTO agents (username, name, password_hash, role, team_id, skills, languages, tiers,
			capacity_voice, capacity_chat, capacity_sms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		n.Username, n.Name, hash, string(n.Role), team, nonNil(n.Skills), nonNil(n.Languages), tiers,
		capacity[switchboard.ChannelVoice], capacity[switchboard.ChannelChat], capacity[switchboard.ChannelSMS]).Scan(&id)
	if err != nil {
		return nil, fmt.Errorf("agents: create %q: %w", n.Username, pgdb.FormatError(err))
	}
	return s.Get(ctx, id)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
