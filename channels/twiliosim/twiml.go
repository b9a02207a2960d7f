package twiliosim

import (
	"context"
	"encoding/xml"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// node is one TwiML element, kept generic: the simulator reads the verbs it
// knows and skips the rest, as Twilio would warn and carry on.
type node struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []node     `xml:",any"`
}

func (n node) attr(name, def string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return def
}

// step is where a TwiML document sends the call next.
type step struct {
	url   string
	twiml string
	extra url.Values
	end   bool
	why   string
}

// maxHops bounds redirects between documents, as Twilio stops a loop.
const maxHops = 500

// follow runs a call's TwiML from url (or the inline document) until the
// call ends.
func (s *Sim) follow(c *Call, target, doc string) {
	var extra url.Values
	for range maxHops {
		body := []byte(doc)
		if doc == "" {
			form := url.Values(c.params())
			for k, v := range extra {
				form[k] = v
			}
			_, b, err := s.post(context.Background(), target, form)
			if err != nil {
				c.note("error:" + err.Error())
				s.end(c, "completed", "application-error")
				return
			}
			body = b
		}
		next := s.run(c, target, body)
		if next.end {
			s.end(c, "completed", next.why)
			return
		}
		target, doc, extra = next.url, next.twiml, next.extra
	}
	s.end(c, "failed", "too-many-redirects")
}

// run executes one TwiML document.
func (s *Sim) run(c *Call, base string, body []byte) step {
	var doc node
	if err := xml.Unmarshal(body, &doc); err != nil || doc.XMLName.Local != "Response" {
		c.note("error:not TwiML")
		return step{end: true, why: "application-error"}
	}
	for _, v := range doc.Children {
		if next, done := s.verb(c, base, v); done {
			return next
		}
	}
	return step{end: true, why: "twiml-end"}
}

// verb runs one verb; done means the document is left (redirect, action,
// hang-up or interruption).
func (s *Sim) verb(c *Call, base string, v node) (step, bool) {
	switch v.XMLName.Local {
	case "Say", "Play", "Pause":
		return s.media(c, v)
	case "Gather":
		return s.gather(c, base, v)
	case "Redirect":
		return step{url: resolve(base, strings.TrimSpace(v.Text))}, true
	case "Hangup":
		return step{end: true, why: "twiml-hangup"}, true
	case "Reject":
		return step{end: true, why: "twiml-reject"}, true
	case "Enqueue":
		c.note("enqueue:" + strings.TrimSpace(v.Text))
		return s.hold(c, 24*time.Hour)
	case "Dial":
		return s.dial(c, base, v)
	}
	c.note("skip:" + v.XMLName.Local)
	return step{}, false
}

// media plays Say, Play or Pause, interruptibly.
func (s *Sim) media(c *Call, v node) (step, bool) {
	text := strings.TrimSpace(v.Text)
	switch v.XMLName.Local {
	case "Say":
		c.note("say:" + text)
		return s.hold(c, 2*time.Second)
	case "Pause":
		n, _ := strconv.Atoi(v.attr("length", "1"))
		return s.hold(c, time.Duration(max(n, 0))*time.Second)
	}
	c.note("play:" + text)
	loops, _ := strconv.Atoi(v.attr("loop", "1"))
	if loops <= 0 {
		loops = 1000 // loop="0" plays until something interrupts
	}
	return s.hold(c, time.Duration(loops)*10*time.Second)
}

// hold waits d, unless the call is interrupted first.
func (s *Sim) hold(c *Call, d time.Duration) (step, bool) {
	t := time.NewTimer(s.scale(d))
	defer t.Stop()
	select {
	case <-t.C:
		return step{}, false
	case i := <-c.interrupt:
		return interrupted(c, i), true
	}
}

func interrupted(c *Call, i interrupt) step {
	if i.hangup {
		return step{end: true, why: i.reason}
	}
	c.note("redirected")
	return step{url: i.url, twiml: i.twiml}
}

func (s *Sim) gather(c *Call, base string, v node) (step, bool) {
	action := resolve(base, v.attr("action", base))
	digits := c.nextDigits()
	for _, inner := range v.Children {
		if digits != "" {
			break // the caller knows the menu and presses at once
		}
		if next, done := s.media(c, inner); done {
			return next, true
		}
	}
	if digits != "" {
		c.note("gather:" + digits)
		return step{url: action, extra: url.Values{"Digits": {digits}, "FinishedOnKey": {""}}}, true
	}
	timeout, _ := strconv.Atoi(v.attr("timeout", "5"))
	if next, done := s.hold(c, time.Duration(max(timeout, 1))*time.Second); done {
		return next, true
	}
	c.note("gather:timeout")
	if v.attr("actionOnEmptyResult", "false") == "true" {
		return step{url: action, extra: url.Values{"Digits": {""}}}, true
	}
	return step{}, false
}

func (c *Call) nextDigits() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.caller.Digits) == 0 {
		return ""
	}
	d := c.caller.Digits[0]
	c.caller.Digits = c.caller.Digits[1:]
	return d
}

// dial joins a <Conference>; other nouns are answered by a simulated party
// who talks for the caller's talk time.
func (s *Sim) dial(c *Call, base string, v node) (step, bool) {
	for _, n := range v.Children {
		if n.XMLName.Local != "Conference" {
			continue
		}
		name := strings.TrimSpace(n.Text)
		c.note("conference:" + name)
		st := seat{label: n.attr("participantLabel", ""), start: n.attr("startConferenceOnEnter", "true") == "true",
			endOnExit: n.attr("endConferenceOnExit", "false") == "true", muted: n.attr("muted", "false") == "true",
			events: []string{n.attr("statusCallbackEvent", "")}}
		if cb := n.attr("statusCallback", ""); cb != "" {
			st.callback = resolve(base, cb)
		}
		next, done := s.joinConference(c, name, st)
		if done {
			return next, true
		}
		if a := v.attr("action", ""); a != "" {
			return step{url: resolve(base, a), extra: url.Values{"DialCallStatus": {"answered"}, "DialBridged": {"true"}}}, true
		}
		return step{}, false
	}
	c.note("dial")
	c.mu.Lock()
	c.bridged = true
	c.mu.Unlock()
	if next, done := s.hold(c, c.caller.TalkTime); done {
		return next, true
	}
	return step{end: true, why: "caller-done"}, true
}
