package agentdesk

import (
	"net/http"

	"switchboard"
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
	a, err := d.deps.Agents.Authenticate(r.Context(), api.SessionToken(r))
	if err != nil {
		api.Error(d.cfg.Log, w, r, err)
		return
	}
	// A token lets its holder take and place calls as the bank; only the
	// roles that handle calls get one (marketing runs campaigns, it does
	// not speak to customers).
	if !a.Can(callRoles...) {
		api.Error(d.cfg.Log, w, r, switchboard.Errorf(switchboard.ErrForbidden, "the %s role takes no calls", a.Role))
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
