package twiliosim

import (
	"context"
	"hash/fnv"
	"net/http"
	"net/url"
	"strconv"
)

// Answering is how the numbers the bank calls out to answer, for outbound
// campaigns: a person, an answering machine, a busy line, or no answer. A
// number in ByNumber behaves as listed ("human", "machine", "busy",
// "no-answer"); any other number draws from the shares (the rest answer as
// a person) with a draw fixed by Seed and the number, so a run is
// repeatable and a number behaves the same on every call of one run unless
// Redraw is set, when each call draws again.
type Answering struct {
	ByNumber                map[string]string
	Machine, Busy, NoAnswer float64
	Seed                    uint64
	Redraw                  bool
}

// Outcome returns how number answers its n-th call (from 0).
func (a Answering) Outcome(number string, n int) string {
	if o, ok := a.ByNumber[number]; ok {
		return o
	}
	h := fnv.New64a()
	h.Write([]byte(strconv.FormatUint(a.Seed, 10) + "/" + number))
	if a.Redraw {
		h.Write([]byte("/" + strconv.Itoa(n)))
	}
	x := float64(h.Sum64()%1_000_000) / 1_000_000
	switch {
	case x < a.NoAnswer:
		return "no-answer"
	case x < a.NoAnswer+a.Busy:
		return "busy"
	case x < a.NoAnswer+a.Busy+a.Machine:
		return "machine"
	}
	return "human"
}

// AnsweringHandler is Handler with outbound calls answered per a. A call
// created with MachineDetection gets AnsweredBy (human or machine_start)
// on the request for its Url, as Twilio's synchronous detection does; a
// busy or unanswered number ends the call with that status and its status
// callback.
func (s *Sim) AnsweringHandler(a Answering) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", s.Handler())
	counts := map[string]int{}
	mux.HandleFunc("POST /2010-04-01/Accounts/{account}/Calls.json", s.auth(func(w http.ResponseWriter, r *http.Request) {
		f := r.PostForm
		if f.Get("To") == "" || f.Get("From") == "" || f.Get("Url") == "" {
			s.createCall(w, r) // its own errors
			return
		}
		s.mu.Lock()
		n := counts[f.Get("To")]
		counts[f.Get("To")]++
		s.mu.Unlock()
		c := s.dialOut(f.Get("From"), f.Get("To"), f.Get("StatusCallback"), f["StatusCallbackEvent"])
		writeJSON(w, http.StatusCreated, c.json())
		go s.runAnswering(c, f.Get("Url"), f.Get("MachineDetection") != "", a.Outcome(f.Get("To"), n))
	}))
	return mux
}

func (s *Sim) runAnswering(c *Call, target string, detect bool, outcome string) {
	c.setStatus("ringing")
	switch outcome {
	case "busy":
		s.end(c, "busy", "busy")
		return
	case "no-answer":
		s.wait(c.caller.Patience/4, nil)
		s.end(c, "no-answer", "no-answer")
		return
	}
	c.setStatus("in-progress")
	s.progress(c, "answered")
	extra := url.Values{}
	if detect {
		extra.Set("AnsweredBy", map[string]string{"human": "human", "machine": "machine_start"}[outcome])
	}
	s.followFrom(c, target, extra)
}

// followFrom is follow with extra parameters on the first request.
func (s *Sim) followFrom(c *Call, target string, extra url.Values) {
	doc := ""
	for range maxHops {
		form := url.Values(c.params())
		for k, v := range extra {
			form[k] = v
		}
		body := []byte(doc)
		if doc == "" {
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
