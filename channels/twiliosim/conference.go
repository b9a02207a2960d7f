package twiliosim

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// conference is a room of call legs.
type conference struct {
	sid, name string
	created   time.Time

	mu        sync.Mutex
	members   map[string]bool // CallSid → endConferenceOnExit
	started   bool
	changed   chan struct{} // closed and replaced on every change
	ended     chan struct{}
	endedOnce bool
}

// conference returns the live conference called name (or with that SID),
// creating it if create is set.
func (s *Sim) conference(name string, create bool) *conference {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cf, ok := s.confs[name]; ok {
		return cf
	}
	for _, cf := range s.confs {
		if cf.sid == name {
			return cf
		}
	}
	if !create || strings.HasPrefix(name, "CF") {
		return nil
	}
	cf := &conference{sid: NewSID("CF"), name: name, created: time.Now(), members: map[string]bool{},
		changed: make(chan struct{}), ended: make(chan struct{})}
	s.confs[name] = cf
	return cf
}

func (cf *conference) join(callSID string, start, endOnExit bool) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	cf.members[callSID] = endOnExit
	cf.started = cf.started || start
	cf.notifyLocked()
}

// leave takes a leg out; the conference ends when an end-on-exit leg leaves
// or nobody is left.
func (cf *conference) leave(s *Sim, callSID string) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	endOnExit, ok := cf.members[callSID]
	if !ok {
		return
	}
	delete(cf.members, callSID)
	cf.notifyLocked()
	if (endOnExit || len(cf.members) == 0) && !cf.endedOnce {
		cf.endedOnce = true
		close(cf.ended)
		s.mu.Lock()
		if s.confs[cf.name] == cf {
			delete(s.confs, cf.name)
		}
		s.mu.Unlock()
	}
}

func (cf *conference) notifyLocked() {
	close(cf.changed)
	cf.changed = make(chan struct{})
}

// live reports whether people are talking, and the channel that closes on
// the next change.
func (cf *conference) live() (bool, <-chan struct{}) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	return cf.started && len(cf.members) >= 2, cf.changed
}

// joinConference seats the call in the conference until the conference
// ends, the call is interrupted, or the caller has talked enough.
func (s *Sim) joinConference(c *Call, name string, start, endOnExit bool) (step, bool) {
	cf := s.conference(name, true)
	cf.join(c.SID, start, endOnExit)
	defer cf.leave(s, c.SID)
	c.mu.Lock()
	c.conf = name
	c.mu.Unlock()
	var talk <-chan time.Time
	for {
		live, changed := cf.live()
		if live && talk == nil {
			c.mu.Lock()
			c.bridged = true
			c.mu.Unlock()
			c.note("bridged")
			if !c.agent {
				t := time.NewTimer(s.scale(c.caller.TalkTime))
				defer t.Stop()
				talk = t.C
			}
		}
		select {
		case <-cf.ended:
			c.note("conference-ended")
			return step{}, false
		case <-changed:
		case i := <-c.interrupt:
			return interrupted(c, i), true
		case <-talk:
			return step{end: true, why: "caller-done"}, true
		}
	}
}

func (s *Sim) fetchConference(w http.ResponseWriter, r *http.Request) {
	cf := s.conference(trimJSON(r.PathValue("sid")), false)
	if cf == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sid": cf.sid, "account_sid": s.cfg.AccountSID, "friendly_name": cf.name,
		"status": "in-progress", "date_created": rfc2822(cf.created), "uri": s.uri("Conferences", cf.sid)})
}
