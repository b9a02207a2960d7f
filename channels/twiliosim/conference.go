package twiliosim

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// conference is a room of call legs.
type conference struct {
	sid, name string
	created   time.Time
	sim       *Sim

	mu        sync.Mutex
	members   map[string]*participant // by CallSid
	joined    bool                    // someone has joined: the callback is fixed
	started   bool
	changed   chan struct{} // closed and replaced on every change
	ended     chan struct{}
	endedOnce bool
	callbacks
}

// participant is one leg's seat and its settings.
type participant struct {
	call                  *Call
	label                 string
	start, endOnExit      bool
	muted, hold, coaching bool
	joinedAt              time.Time
}

// seat is how a leg asks to join: its own settings and the conference
// status callback it carries, which only the first leg to join sets for the
// whole conference, as on Twilio.
type seat struct {
	label            string
	start, endOnExit bool
	muted            bool
	callback         string
	events           []string // start end join leave mute hold modify…
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
	cf := &conference{sid: NewSID("CF"), name: name, created: time.Now(), sim: s, members: map[string]*participant{},
		changed: make(chan struct{}), ended: make(chan struct{})}
	s.confs[name] = cf
	return cf
}

func (cf *conference) join(c *Call, st seat) *participant {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if !cf.joined {
		cf.joined = true
		cf.configure(st.callback, st.events)
	}
	p := &participant{call: c, label: st.label, start: st.start, endOnExit: st.endOnExit, muted: st.muted, joinedAt: time.Now()}
	cf.members[c.SID] = p
	if st.start && !cf.started {
		cf.started = true
		cf.emitLocked("conference-start", nil, nil)
	}
	cf.emitLocked("participant-join", p, nil)
	cf.notifyLocked()
	return p
}

// Reasons a participant left, as participant-leave reports them.
const (
	leftHungUp    = "participant_hung_up"
	leftUpdated   = "participant_updated_via_api"
	leftKicked    = "participant_kicked"
	leftConfEnded = "conference_ended"
	leftAddFailed = "participant_add_failed"
)

// leave takes a leg out; the conference ends when an end-on-exit leg leaves
// or nobody is left, and then every other leg leaves with it before
// conference-end is sent.
func (cf *conference) leave(callSID, why, callStatus string) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	p, ok := cf.members[callSID]
	if !ok {
		return
	}
	cf.removeLocked(p, why, callStatus)
	if (!p.endOnExit && len(cf.members) > 0) || cf.endedOnce {
		return
	}
	for _, o := range cf.members {
		cf.removeLocked(o, leftConfEnded, "in-progress")
	}
	cf.endLocked(p, why)
}

func (cf *conference) removeLocked(p *participant, why, callStatus string) {
	delete(cf.members, p.call.SID)
	cf.emitLocked("participant-leave", p, url.Values{"ReasonParticipantLeft": {why}, "ParticipantCallStatus": {callStatus}})
	cf.notifyLocked()
}

// endLocked ends the conference because p left.
func (cf *conference) endLocked(p *participant, why string) {
	cf.endedOnce = true
	reason, text := "last-participant-left", "Last participant left"
	switch {
	case p.endOnExit && why == leftKicked:
		reason, text = "participant-with-end-conference-on-exit-kicked", "Participant with endConferenceOnExit was kicked"
	case p.endOnExit:
		reason, text = "participant-with-end-conference-on-exit-left", "Participant with endConferenceOnExit left the conference"
	case why == leftKicked:
		reason, text = "last-participant-kicked", "Last participant was kicked"
	}
	more := url.Values{"CallSidEndingConference": {p.call.SID}, "ReasonConferenceEnded": {reason}, "Reason": {text + " " + p.call.SID}}
	if p.label != "" {
		more.Set("ParticipantLabelEndingConference", p.label)
	}
	cf.emitLocked("conference-end", nil, more)
	close(cf.ended)
	cf.sim.mu.Lock()
	if cf.sim.confs[cf.name] == cf {
		delete(cf.sim.confs, cf.name)
	}
	cf.sim.mu.Unlock()
}

// update applies a Participants update (Hold, Muted, EndConferenceOnExit)
// and sends the events it causes.
func (cf *conference) update(p *participant, f url.Values) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if h := f.Get("Hold"); h != "" && (h == "true") != p.hold {
		p.hold = h == "true"
		cf.emitLocked(map[bool]string{true: "participant-hold", false: "participant-unhold"}[p.hold], p, nil)
	}
	if m := f.Get("Muted"); m != "" && (m == "true") != p.muted {
		p.muted = m == "true"
		cf.emitLocked(map[bool]string{true: "participant-mute", false: "participant-unmute"}[p.muted], p, nil)
	}
	if e := f.Get("EndConferenceOnExit"); e != "" && (e == "true") != p.endOnExit {
		p.endOnExit = e == "true"
		cf.emitLocked("participant-modify", p, nil)
	}
}

// member finds a seated leg by CallSid or label.
func (cf *conference) member(callOrLabel string) *participant {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	if p, ok := cf.members[callOrLabel]; ok {
		return p
	}
	for _, p := range cf.members {
		if p.label != "" && p.label == callOrLabel {
			return p
		}
	}
	return nil
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
func (s *Sim) joinConference(c *Call, name string, st seat) (next step, done bool) {
	cf := s.conference(name, true)
	cf.join(c, st)
	why, callStatus := leftHungUp, "completed"
	defer func() { cf.leave(c.SID, why, callStatus) }()
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
			switch {
			case i.reason == "kicked":
				why = leftKicked
			case !i.hangup:
				why, callStatus = leftUpdated, "in-progress"
			case i.reason == "api":
				why = leftUpdated
			}
			return interrupted(c, i), true
		case <-talk:
			return step{end: true, why: "caller-done"}, true
		}
	}
}

// addFailed reports a Participants-API leg that never answered.
func (cf *conference) addFailed(c *Call, label string) {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	p := &participant{call: c, label: label}
	cf.emitLocked("participant-leave", p, url.Values{"ReasonParticipantLeft": {leftAddFailed}, "ParticipantCallStatus": {c.Status()}})
}

func (s *Sim) fetchConference(w http.ResponseWriter, r *http.Request) {
	cf := s.conference(trimJSON(r.PathValue("sid")), false)
	if cf == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	writeJSON(w, http.StatusOK, cf.resource())
}

// listConferences answers GET Conferences.json with the live conferences,
// filtered by FriendlyName and Status as Twilio filters them, in one page.
// Ended conferences are forgotten, so a Status=completed search finds none.
func (s *Sim) listConferences(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	name, status := q.Get("FriendlyName"), q.Get("Status")
	s.mu.Lock()
	confs := make([]*conference, 0, len(s.confs))
	for _, cf := range s.confs {
		if name == "" || cf.name == name {
			confs = append(confs, cf)
		}
	}
	s.mu.Unlock()
	list := []map[string]any{}
	for _, cf := range confs {
		if res := cf.resource(); status == "" || res["status"] == status {
			list = append(list, res)
		}
	}
	size := len(list)
	if n, err := strconv.Atoi(q.Get("PageSize")); err == nil && n > 0 && n < size {
		list, size = list[:n], n
	}
	uri := "/2010-04-01/Accounts/" + s.cfg.AccountSID + "/Conferences.json"
	writeJSON(w, http.StatusOK, map[string]any{"conferences": list, "page": 0, "page_size": size, "start": 0,
		"end": max(len(list)-1, 0), "uri": uri, "first_page_uri": uri, "next_page_uri": nil, "previous_page_uri": nil})
}

// resource is the conference as Twilio's REST API shows it.
func (cf *conference) resource() map[string]any {
	cf.mu.Lock()
	status := map[bool]string{false: "init", true: "in-progress"}[cf.started]
	cf.mu.Unlock()
	return map[string]any{"sid": cf.sid, "account_sid": cf.sim.cfg.AccountSID, "friendly_name": cf.name,
		"status": status, "date_created": rfc2822(cf.created), "uri": cf.sim.uri("Conferences", cf.sid)}
}

// callbacks is a conference's status callback: where to, which events, and
// the queue of requests not yet sent, delivered one at a time in order of
// SequenceNumber.
type callbacks struct {
	callback string
	events   map[string]bool
	seq      int
	outbox   []url.Values
	sending  bool
}

// confEvents maps a requested event name to the StatusCallbackEvent values
// it subscribes to.
var confEvents = map[string][]string{
	"start": {"conference-start"}, "end": {"conference-end"}, "join": {"participant-join"}, "leave": {"participant-leave"},
	"mute": {"participant-mute", "participant-unmute"}, "hold": {"participant-hold", "participant-unhold"},
	"modify": {"participant-modify"},
}

// configure takes the callback of the first leg to join. Events may come
// as repeated keys (the REST API) or space-separated (TwiML); with none
// given, Twilio sends start and end.
func (cf *conference) configure(callback string, requested []string) {
	if callback == "" {
		return
	}
	cf.callback, cf.events = callback, map[string]bool{}
	var names []string
	for _, r := range requested {
		names = append(names, strings.Fields(r)...)
	}
	if len(names) == 0 {
		names = []string{"start", "end"}
	}
	for _, n := range names {
		for _, e := range confEvents[n] {
			cf.events[e] = true
		}
	}
}

// emitLocked queues one status callback, if the conference asked for
// that event.
func (cf *conference) emitLocked(event string, p *participant, more url.Values) {
	if cf.callback == "" || !cf.events[event] {
		return
	}
	cf.seq++
	f := url.Values{"ConferenceSid": {cf.sid}, "FriendlyName": {cf.name}, "AccountSid": {cf.sim.cfg.AccountSID},
		"StatusCallbackEvent": {event}, "SequenceNumber": {strconv.Itoa(cf.seq)}, "Timestamp": {rfc2822(time.Now())}}
	if p != nil {
		f.Set("CallSid", p.call.SID)
		f.Set("Muted", strconv.FormatBool(p.muted))
		f.Set("Hold", strconv.FormatBool(p.hold))
		f.Set("Coaching", strconv.FormatBool(p.coaching))
		f.Set("EndConferenceOnExit", strconv.FormatBool(p.endOnExit))
		f.Set("StartConferenceOnEnter", strconv.FormatBool(p.start))
		if p.label != "" {
			f.Set("ParticipantLabel", p.label)
		}
	}
	for k, v := range more {
		f[k] = v
	}
	cf.outbox = append(cf.outbox, f)
	if !cf.sending {
		cf.sending = true
		go cf.send()
	}
}

// send posts the queued callbacks one after another, so they arrive in
// order (Twilio does not promise that; SequenceNumber lets a receiver
// reorder).
func (cf *conference) send() {
	for {
		cf.mu.Lock()
		if len(cf.outbox) == 0 {
			cf.sending = false
			cf.mu.Unlock()
			return
		}
		f, target := cf.outbox[0], cf.callback
		cf.outbox = cf.outbox[1:]
		cf.mu.Unlock()
		if _, _, err := cf.sim.post(context.Background(), target, f); err != nil {
			cf.sim.log.Warn("twiliosim: conference status callback", "conference", cf.sid, "event", f.Get("StatusCallbackEvent"), "err", err)
		}
	}
}
