package switchboard

// Role is what an agent may do. Roles are checked on every API route.
type Role string

const (
	RoleAgent      Role = "agent"      // 坐席
	RoleRM         Role = "rm"         // 客户经理
	RoleSupervisor Role = "supervisor" // 班长 / 主管
	RoleMarketing  Role = "marketing"  // 营销
	RoleAdmin      Role = "admin"      // 管理员
)

// Roles lists every role.
var Roles = []Role{RoleAgent, RoleRM, RoleSupervisor, RoleMarketing, RoleAdmin}

// ParseRole returns ErrInvalid for an unknown role.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(ErrInvalid, "unknown role %q", s)
}

// Agent is a member of staff who logs in: a call-centre agent, a
// relationship manager, a supervisor, a marketer or an administrator.
type Agent struct {
	ID        int64
	Username  string
	Name      string
	Role      Role
	TeamID    int64
	Skills    []string
	Languages []string
	Tiers     []ValueTier // the tiers this agent may serve; empty means none
	Capacity  map[Channel]int
	Active    bool
}

// DefaultCapacity is the per-channel capacity of an agent unless configured:
// one call, three chats, five SMS threads.
func DefaultCapacity() map[Channel]int {
	return map[Channel]int{ChannelVoice: 1, ChannelChat: 3, ChannelSMS: 5}
}

// Can reports whether the agent's role is one of roles. Admins can do
// everything.
func (a *Agent) Can(roles ...Role) bool {
	if a.Role == RoleAdmin {
		return true
	}
	for _, r := range roles {
		if a.Role == r {
			return true
		}
	}
	return false
}
