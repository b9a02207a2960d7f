package twiliosim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is the simulator's account and the bank's number.
type Config struct {
	AccountSID string // letters and digits, starting AC
	AuthToken  string // letters and digits
	// Number is the bank's number customers call and text; its webhooks are
	// VoiceURL, VoiceStatusURL (the number's status callback) and SMSURL.
	Number         string
	VoiceURL       string
	VoiceStatusURL string
	SMSURL         string
	// Speed divides every simulated wait (Play, Pause, ringing, patience,
	// talk time): 1 is real time, 100 runs a minute in 0.6 s.
	Speed      float64
	HTTPClient *http.Client
	Log        *slog.Logger
}

// Sim is a running simulator. It is safe for concurrent use.
type Sim struct {
	cfg  Config
	hc   *http.Client
	log  *slog.Logger
	mu   sync.Mutex
	reqs []Request
	msgs []*Message // created through the REST API
	// carried is every text either way, oldest first: the API's messages,
	// customers' texts to the bank and TwiML replies; the Messages list
	// shows them all, as Twilio's does.
	carried []*Message
	// inbox holds what each simulated phone received, by number.
	inbox    map[string][]*Message
	optedOut map[string]bool // numbers that texted STOP to the bank's number
	calls    map[string]*Call
	confs    map[string]*conference // by friendly name
	phones   map[string]Caller      // how numbers answer the bank's calls
	// throttle is how many REST requests are still to be answered 429,
	// with Retry-After throttleAfter when it is not zero.
	throttle      int
	throttleAfter time.Duration
}

// Request is one REST API request the simulator received.
type Request struct {
	Method, Path string
	Query        url.Values // the URL's parameters (a list's filters)
	Form         url.Values
	At           time.Time
}

// New returns a simulator.
func New(cfg Config) *Sim {
	if cfg.Speed <= 0 {
		cfg.Speed = 1
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &Sim{cfg: cfg, hc: hc, log: cfg.Log, inbox: map[string][]*Message{}, optedOut: map[string]bool{},
		calls: map[string]*Call{}, confs: map[string]*conference{}}
}

// Handler serves the REST API.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	p := "/2010-04-01/Accounts/{account}/"
	mux.HandleFunc("POST "+p+"Messages.json", s.auth(s.createMessage))
	mux.HandleFunc("GET "+p+"Messages.json", s.auth(s.listMessages))
	mux.HandleFunc("GET "+p+"Messages/{sid}", s.auth(s.fetchMessage))
	mux.HandleFunc("GET "+p+"Calls.json", s.auth(s.listCalls))
	mux.HandleFunc("POST "+p+"Calls.json", s.auth(s.createCall))
	mux.HandleFunc("POST "+p+"Calls/{sid}", s.auth(s.updateCall))
	mux.HandleFunc("GET "+p+"Calls/{sid}", s.auth(s.fetchCall))
	mux.HandleFunc("GET "+p+"Conferences.json", s.auth(s.listConferences))
	mux.HandleFunc("GET "+p+"Conferences/{sid}", s.auth(s.fetchConference))
	mux.HandleFunc("POST "+p+"Conferences/{conf}/Participants.json", s.auth(s.createParticipant))
	mux.HandleFunc("POST "+p+"Conferences/{conf}/Participants/{call}", s.auth(s.updateParticipant))
	mux.HandleFunc("DELETE "+p+"Conferences/{conf}/Participants/{call}", s.auth(s.deleteParticipant))
	mux.HandleFunc("GET /{$}", s.listRequests)
	mux.HandleFunc("GET /requests.json", s.listRequests)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
	})
	return mux
}

// auth checks Basic auth and the account in the path, records the request
// and parses its form.
func (s *Sim) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != s.cfg.AccountSID || pass != s.cfg.AuthToken || r.PathValue("account") != s.cfg.AccountSID {
			twilioError(w, http.StatusUnauthorized, 20003, "Authenticate")
			return
		}
		if s.throttled(w) {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := r.ParseForm(); err != nil {
			twilioError(w, http.StatusBadRequest, 20001, "Invalid form body")
			return
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Form: r.PostForm,
			At: time.Now()})
		s.mu.Unlock()
		h(w, r)
	}
}

// Throttle answers the next n REST requests as Twilio answers an account
// that sends too many at once: 429 Too Many Requests with error 20429, and
// nothing done or recorded (Requests). A retryAfter of at least a second
// is sent as Retry-After, in whole seconds; Twilio's 2010 API promises no
// such header, so by default there is none.
func (s *Sim) Throttle(n int, retryAfter time.Duration) {
	s.mu.Lock()
	s.throttle, s.throttleAfter = n, retryAfter
	s.mu.Unlock()
}

func (s *Sim) throttled(w http.ResponseWriter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttle <= 0 {
		return false
	}
	s.throttle--
	if secs := int(s.throttleAfter / time.Second); secs > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	twilioError(w, http.StatusTooManyRequests, 20429, "Too Many Requests")
	return true
}

// Requests returns a copy of every REST request received so far.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// NewSID returns a Twilio-shaped SID: prefix and 32 lowercase hex digits.
func NewSID(prefix string) string {
	b := make([]byte, 16)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func rfc2822(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// wait sleeps d scaled by Speed, or until done closes; it reports whether
// the full time passed.
func (s *Sim) wait(d time.Duration, done <-chan struct{}) bool {
	t := time.NewTimer(s.scale(d))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-done:
		return false
	}
}

func (s *Sim) scale(d time.Duration) time.Duration {
	return time.Duration(float64(d) / s.cfg.Speed)
}

func (s *Sim) uri(kind, sid string) string {
	return "/2010-04-01/Accounts/" + s.cfg.AccountSID + "/" + kind + "/" + sid + ".json"
}

func trimJSON(sid string) string { return strings.TrimSuffix(sid, ".json") }
