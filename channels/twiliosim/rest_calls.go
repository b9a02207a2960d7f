package twiliosim

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

func (s *Sim) createCall(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	switch {
	case f.Get("To") == "":
		twilioError(w, 400, 21201, "No 'To' number is specified")
		return
	case f.Get("From") == "":
		twilioError(w, 400, 21213, "No 'From' number is specified")
		return
	case f.Get("Url") == "" && f.Get("Twiml") == "":
		twilioError(w, 400, 21205, "Url parameter is required.")
		return
	}
	target := f.Get("Url")
	if target != "" {
		if u, err := url.Parse(target); err != nil || u.Host == "" {
			twilioError(w, 400, 21205, "Url is not a valid URL: "+target)
			return
		}
	}
	c := s.dialOut(f.Get("From"), f.Get("To"), f.Get("StatusCallback"), f["StatusCallbackEvent"])
	writeJSON(w, http.StatusCreated, c.json())
	go s.runOutbound(c, target, f.Get("Twiml"))
}

// dialOut creates an outbound leg to a simulated phone or softphone.
func (s *Sim) dialOut(from, to, statusCallback string, events []string) *Call {
	s.mu.Lock()
	caller, known := s.phones[to]
	s.mu.Unlock()
	if !known {
		caller = Caller{From: to}
	}
	c := s.newCall(from, to, "outbound-api", caller)
	c.agent = strings.HasPrefix(to, "client:")
	c.statusCallback, c.statusEvents = statusCallback, events
	return c
}

// answer rings the leg and reports whether it was answered.
func (s *Sim) answer(c *Call) bool {
	c.setStatus("ringing")
	if _, done := s.hold(c, time.Second); done {
		s.end(c, "canceled", "api")
		return false
	}
	if c.caller.NoAnswer {
		s.end(c, "no-answer", "no-answer")
		return false
	}
	c.setStatus("in-progress")
	s.progress(c, "answered")
	return true
}

// progress sends a non-final status callback the leg asked for.
func (s *Sim) progress(c *Call, event string) {
	if c.statusCallback == "" || !slices.Contains(c.statusEvents, event) {
		return
	}
	go func() {
		if _, _, err := s.post(context.Background(), c.statusCallback, url.Values(c.params())); err != nil {
			s.log.Warn("twiliosim: call progress callback", "sid", c.SID, "err", err)
		}
	}()
}

func (s *Sim) runOutbound(c *Call, target, doc string) {
	if s.answer(c) {
		s.follow(c, target, doc)
	}
}

func (s *Sim) call(sid string) *Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[sid]
}

func (s *Sim) updateCall(w http.ResponseWriter, r *http.Request) {
	c := s.call(trimJSON(r.PathValue("sid")))
	if c == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	f := r.PostForm
	var i interrupt
	switch {
	case f.Get("Status") == "completed" || f.Get("Status") == "canceled":
		i = interrupt{hangup: true, reason: "api"}
	case f.Get("Url") != "" && f.Get("Twiml") != "":
		twilioError(w, 400, 21220, "Url and Twiml are mutually exclusive")
		return
	case f.Get("Url") != "" || f.Get("Twiml") != "":
		i = interrupt{url: f.Get("Url"), twiml: f.Get("Twiml")}
	default:
		twilioError(w, 400, 21218, "Nothing to update: give Url, Twiml or Status")
		return
	}
	select {
	case <-c.done:
		twilioError(w, 400, 21220, "Call is not in-progress. Cannot redirect.")
		return
	case c.interrupt <- i:
	}
	writeJSON(w, http.StatusOK, c.json())
}

func (s *Sim) fetchCall(w http.ResponseWriter, r *http.Request) {
	c := s.call(trimJSON(r.PathValue("sid")))
	if c == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	writeJSON(w, http.StatusOK, c.json())
}

// createParticipant dials To and seats the answered leg in the conference
// (created if it does not exist yet, as Twilio does for a friendly name).
func (s *Sim) createParticipant(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	if f.Get("To") == "" || f.Get("From") == "" {
		twilioError(w, 400, 21201, "'From' and 'To' are required")
		return
	}
	name := trimJSON(r.PathValue("conf"))
	cf := s.conference(name, true)
	if cf == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	c := s.dialOut(f.Get("From"), f.Get("To"), f.Get("StatusCallback"), f["StatusCallbackEvent"])
	st := seat{label: f.Get("Label"), start: f.Get("StartConferenceOnEnter") != "false", endOnExit: f.Get("EndConferenceOnExit") == "true",
		muted: f.Get("Muted") == "true", callback: f.Get("ConferenceStatusCallback"), events: f["ConferenceStatusCallbackEvent"]}
	writeJSON(w, http.StatusCreated, s.participantJSON(cf, &participant{call: c, label: st.label, start: st.start,
		endOnExit: st.endOnExit, muted: st.muted}, "queued"))
	go func() {
		if !s.answer(c) {
			cf.addFailed(c, st.label)
			return
		}
		c.note("conference:" + cf.name)
		next, done := s.joinConference(c, cf.name, st)
		if done && !next.end && (next.url != "" || next.twiml != "") {
			s.follow(c, next.url, next.twiml)
			return
		}
		why := "conference-ended"
		if next.end {
			why = next.why
		}
		s.end(c, "completed", why)
	}()
}

func (s *Sim) participantJSON(cf *conference, p *participant, status string) map[string]any {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	return map[string]any{"account_sid": s.cfg.AccountSID, "call_sid": p.call.SID, "label": p.label, "conference_sid": cf.sid,
		"coaching": p.coaching, "call_sid_to_coach": nil, "end_conference_on_exit": p.endOnExit, "start_conference_on_enter": p.start,
		"muted": p.muted, "hold": p.hold, "status": status, "date_created": rfc2822(p.call.start), "date_updated": rfc2822(time.Now()),
		"uri": strings.TrimSuffix(s.uri("Conferences", cf.sid), ".json") + "/Participants/" + p.call.SID + ".json"}
}

// updateParticipant holds, mutes or changes a seated leg; each change
// sends its conference event.
func (s *Sim) updateParticipant(w http.ResponseWriter, r *http.Request) {
	cf, p := s.participant(r)
	if p == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	if h := r.PostForm.Get("Hold"); h != "" {
		p.call.note("hold:" + h)
	}
	if m := r.PostForm.Get("Muted"); m != "" {
		p.call.note("muted:" + m)
	}
	cf.update(p, r.PostForm)
	writeJSON(w, http.StatusOK, s.participantJSON(cf, p, "connected"))
}

func (s *Sim) deleteParticipant(w http.ResponseWriter, r *http.Request) {
	_, p := s.participant(r)
	if p == nil {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
		return
	}
	select {
	case p.call.interrupt <- interrupt{hangup: true, reason: "kicked"}:
	case <-p.call.done:
	}
	w.WriteHeader(http.StatusNoContent)
}

// participant finds the seated leg a request names, by CallSid or label.
func (s *Sim) participant(r *http.Request) (*conference, *participant) {
	cf := s.conference(trimJSON(r.PathValue("conf")), false)
	if cf == nil {
		return nil, nil
	}
	p := cf.member(trimJSON(r.PathValue("call")))
	if p == nil {
		return nil, nil
	}
	return cf, p
}
