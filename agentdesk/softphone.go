package agentdesk

import (
	"net/http"
	"slices"

	"switchboard"
	"switchboard/agents"
	"switchboard/api"
)

// softphone names what carries the agent's voice: "twilio" when the desk
// registers the Twilio Voice JS SDK, "server" when calls are driven from
// the server only (the simulator's call leg, or no softphone key).
func (d *Desk) softphone() string {
	if d.deps.Softphone != nil {
		return "twilio"
	}
	return "server"
}

// callRoles are the roles that take calls on the softphone.
var callRoles = []switchboard.Role{switchboard.RoleAgent, switchboard.RoleRM, switchboard.RoleSupervisor}

// serveVoiceToken gives the signed-in agent a fresh access token for the
// Twilio Voice JS SDK. It is 404 when no softphone is configured, so the
// page falls back to the server's call leg.
func (d *Desk) serveVoiceToken(w http.ResponseWriter, r *http.Request) {
	if d.deps.Softphone == nil {
		api.Error(d.cfg.Log, w, r, switchboard.Errorf(switchboard.ErrNotFound, "no softphone is configured"))
		return
	}
	a, err := d.deps.Agents.Authenticate(r.Context(), agents.SessionToken(r))
	if err != nil {
		api.Error(d.cfg.Log, w, r, err)
		return
	}
	// A softphone can place calls at the bank's expense: only those who
	// take and make calls get one (an administrator is not one of them).
	if !slices.Contains(callRoles, a.Role) {
		api.Error(d.cfg.Log, w, r, switchboard.Errorf(switchboard.ErrForbidden, "the %s role takes no calls and gets no softphone", a.Role))
		return
	}
	tok, err := d.deps.Softphone(a.ID)
	if err != nil {
		api.Error(d.cfg.Log, w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	api.JSON(w, http.StatusOK, tok)
}
