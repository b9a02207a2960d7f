package customers

import (
	"strings"

	"switchboard"
)

// seesFull reports whether viewer may see national-ID and account numbers of
// a customer whose RM is rmID (0 when none): supervisors and admins always,
// an RM for the customers of their own book.
func seesFull(viewer *switchboard.Agent, rmID int64) bool {
	switch viewer.Role {
	case switchboard.RoleSupervisor, switchboard.RoleAdmin:
		return true
	case switchboard.RoleRM:
		return rmID != 0 && rmID == viewer.ID
	}
	return false
}

// mask hides all but the last four characters of s; strings of four or
// fewer characters are hidden entirely, since their tail is all of them.
func mask(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

// maskView masks the view in place for viewer, and records that it did.
// A Chinese national ID is the region code, the birth date, a sequence and
// a check digit: its last four shown beside the full birth date and the
// region would give most of it back, so a masked view keeps only the birth
// year.
func maskView(v *View, viewer *switchboard.Agent, rmID int64) {
	if v.Customer.BirthDate != nil {
		v.Customer.BirthYear = v.Customer.BirthDate.Year()
	}
	if seesFull(viewer, rmID) {
		return
	}
	v.Masked = true
	v.Customer.BirthDate = nil
	v.Customer.NationalID = mask(v.Customer.NationalID)
	for i := range v.Accounts {
		v.Accounts[i].Number = mask(v.Accounts[i].Number)
	}
}
