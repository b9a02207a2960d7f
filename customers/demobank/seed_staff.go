package demobank

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"switchboard"
	"switchboard/agents"
)

// DemoUser is a login of the demo bank. Every member of staff with the same
// role shares the role's password.
type User struct {
	Username string           `json:"username"`
	Password string           `json:"password"`
	Role     switchboard.Role `json:"role"`
}

// DemoPassword is the password of every demo user of role r.
func Password(r switchboard.Role) string { return "switchboard-" + string(r) }

// seedTeam is a team and the queue of the same name that it serves.
type seedTeam struct {
	name, nameZh, title string
	skills              []string
	tiers               []string
	slSeconds           int
	overflow            string // queue to overflow to, after overflowS
	overflowS           int
	share               int // percent of the contact-centre agents
}

// The demo bank's teams and queues, in creation order (overflow targets
// first). Private banking answers within 10 s and overflows to wealth; the
// product queues overflow to general; complaints never overflow, since a
// complaint needs a trained handler.
var seedTeams = []seedTeam{
	{"general", "综合服务", "General enquiries", []string{"general"}, []string{"vip", "standard", "mass"}, 20, "", 0, 35},
	{"cards", "信用卡", "Cards", []string{"cards"}, []string{"vip", "standard", "mass"}, 20, "general", 180, 20},
	{"loans", "贷款", "Loans and mortgages", []string{"loans"}, []string{"vip", "standard", "mass"}, 30, "general", 180, 15},
	{"wealth", "财富管理", "Wealth management", []string{"wealth"}, []string{"private", "vip", "standard"}, 20, "general", 120, 15},
	{"complaints", "投诉处理", "Complaints", []string{"complaints"}, []string{"private", "vip", "standard", "mass"}, 30, "", 0, 10},
	{"private_banking", "私人银行", "Private banking", []string{"private_banking", "wealth"}, []string{"private", "vip"}, 10, "wealth", 45, 5},
}

// crew is who the seed created: ids by team, the RMs, and the logins.
type crew struct {
	byTeam map[string][]int64
	all    []int64 // contact-centre agents
	rms    []int64
	sups   map[string]int64
	users  []User
	count  int64
}

type staffRow struct {
	username, name string
	role           switchboard.Role
	team           int64
	skills, langs  []string
	tiers          []string
}

// seedStaff creates teams, queues and staff: opts.Agents contact-centre
// agents spread over the teams, one RM per ~200 private and VIP customers, a
// supervisor per team, a marketer and an administrator.
func seedStaff(ctx context.Context, tx pgx.Tx, opts Options, rmCount int) (*crew, error) {
	hashes := map[switchboard.Role]string{}
	for _, r := range switchboard.Roles {
		h, err := agents.HashPassword(Password(r))
		if err != nil {
			return nil, fmt.Errorf("hash the %s demo password: %w", r, err)
		}
		hashes[r] = h
	}
	for i, t := range seedTeams {
		var overflow, after any
		if t.overflow != "" {
			overflow, after = t.overflow, t.overflowS
		}
		if _, err := tx.Exec(ctx, `INSERT INTO teams (id, name, name_zh) VALUES ($1, $2, $3)`, i+1, t.name, t.nameZh); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO queues (name, title, title_zh, skills, sl_threshold_s, overflow_queue, overflow_after_s)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, t.name, t.title, t.nameZh, t.skills, t.slSeconds, overflow, after); err != nil {
			return nil, err
		}
	}
	rows := staffRows(opts, rmCount)
	st := &crew{byTeam: map[string][]int64{}, sups: map[string]int64{}, count: int64(len(rows))}
	seen := map[switchboard.Role]bool{}
	for i, s := range rows {
		id := int64(i + 1)
		team := seedTeams[s.team-1].name
		switch s.role {
		case switchboard.RoleAgent:
			st.byTeam[team] = append(st.byTeam[team], id)
			st.all = append(st.all, id)
		case switchboard.RoleRM:
			st.rms = append(st.rms, id)
		case switchboard.RoleSupervisor:
			st.sups[team] = id
		}
		if !seen[s.role] {
			seen[s.role] = true
			st.users = append(st.users, User{Username: s.username, Password: Password(s.role), Role: s.role})
		}
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"agents"},
		[]string{"id", "username", "name", "password_hash", "role", "team_id", "skills", "languages", "tiers"},
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			s := rows[i]
			return []any{int64(i + 1), s.username, s.name, hashes[s.role], string(s.role), s.team, s.skills, s.langs, s.tiers}, nil
		}))
	return st, err
}

// staffRows lists the staff in id order: administrator, marketer,
// supervisors, RMs, then agents.
func staffRows(opts Options, rmCount int) []staffRow {
	r := rand.New(rand.NewPCG(uint64(opts.Seed), 0x57aff))
	name := func() string { n, zh := personName(r, china); return zh + " " + n }
	all := []string{"private", "vip", "standard", "mass"}
	rows := []staffRow{
		{"admin", name(), switchboard.RoleAdmin, 1, []string{}, []string{"zh", "en"}, []string{}},
		{"marketing", name(), switchboard.RoleMarketing, 1, []string{}, []string{"zh", "en"}, []string{}},
	}
	for i, t := range seedTeams {
		rows = append(rows, staffRow{"sup." + t.name, name(), switchboard.RoleSupervisor, int64(i + 1), t.skills, []string{"zh", "en"}, all})
	}
	pb := int64(len(seedTeams)) // private_banking
	for i := range rmCount {
		rows = append(rows, staffRow{"rm" + pad(uint64(i+1), 4), name(), switchboard.RoleRM, pb,
			[]string{"private_banking", "wealth"}, langs(r), []string{"private", "vip"}})
	}
	for i := range opts.Agents {
		t := teamFor(i, opts.Agents)
		rows = append(rows, staffRow{"agent" + pad(uint64(i+1), 4), name(), switchboard.RoleAgent, int64(t + 1),
			seedTeams[t].skills, langs(r), seedTeams[t].tiers})
	}
	return rows
}

// teamFor spreads n agents over the teams by their shares, every team
// getting at least one agent when there are enough.
func teamFor(i, n int) int {
	if n >= len(seedTeams) && i < len(seedTeams) {
		return i
	}
	u := (i * 100 / n) % 100
	for t, team := range seedTeams {
		if u < team.share {
			return t
		}
		u -= team.share
	}
	return 0
}

// langs: everyone speaks Mandarin; a third also serve in English.
func langs(r *rand.Rand) []string {
	if r.IntN(3) == 0 {
		return []string{"zh", "en"}
	}
	return []string{"zh"}
}

// DemoUsers returns, for each role, the first demo user the seed created,
// as found in the database: none if it was not seeded.
func Users(ctx context.Context, pool *pgxpool.Pool) ([]User, error) {
	var users []User
	for _, name := range []string{"admin", "marketing", "sup." + seedTeams[0].name, "rm0001", "agent0001"} {
		rows, err := pool.Query(ctx, `SELECT username, role FROM agents WHERE username = $1`, name)
		if err != nil {
			return nil, fmt.Errorf("demobank: users: %w", err)
		}
		found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (User, error) {
			var u User
			err := r.Scan(&u.Username, &u.Role)
			u.Password = Password(u.Role)
			return u, err
		})
		if err != nil {
			return nil, fmt.Errorf("demobank: users: %w", err)
		}
		users = append(users, found...)
	}
	return users, nil
}
