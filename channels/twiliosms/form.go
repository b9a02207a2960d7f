package twiliosms

import (
	"net/url"
	"regexp"
	"strconv"
	"unicode/utf8"

	"switchboard"
	"switchboard/phone"
)

var (
	messageSID = regexp.MustCompile(`^(SM|MM)[0-9a-fA-F]{32}$`)
	accountSID = regexp.MustCompile(`^AC[0-9A-Za-z]{1,62}$`)
)

const (
	maxBody  = 1600 // Twilio's limit for one inbound message
	maxMedia = 10
	maxURL   = 2048
)

// inbound is a parsed incoming-message webhook.
type inbound struct {
	MessageSID string
	From, To   string // E.164
	Body       string
	MediaURLs  []string
}

// parseInbound checks the webhook form strictly: a bad SID, number, body or
// media URL is ErrInvalid and nothing is stored. Unknown keys are ignored, as
// Twilio adds parameters without notice. bank is the bank's own number in
// E.164, checked when configured: a To equal to it is taken as it is, which
// spares the number parser (the costliest step of a webhook's parsing) half
// its work.
func parseInbound(f url.Values, region, bank string) (inbound, error) {
	in := inbound{MessageSID: f.Get("MessageSid"), Body: f.Get("Body")}
	if !messageSID.MatchString(in.MessageSID) {
		return inbound{}, invalid("MessageSid %q is not a message SID", clip(in.MessageSID))
	}
	if a := f.Get("AccountSid"); a != "" && !accountSID.MatchString(a) {
		return inbound{}, invalid("AccountSid is malformed")
	}
	var err error
	// The errors do not repeat the number: the webhook's log records them.
	if in.From, err = phone.Normalize(f.Get("From"), region); err != nil {
		return inbound{}, invalid("From is not a phone number")
	}
	if in.To = f.Get("To"); in.To != bank || bank == "" {
		if in.To, err = phone.Normalize(in.To, region); err != nil {
			return inbound{}, invalid("To is not a phone number")
		}
	}
	if !utf8.ValidString(in.Body) || utf8.RuneCountInString(in.Body) > maxBody {
		return inbound{}, invalid("Body is not UTF-8 text of at most %d characters", maxBody)
	}
	in.MediaURLs, err = parseMedia(f)
	if err != nil {
		return inbound{}, err
	}
	if in.Body == "" && len(in.MediaURLs) == 0 {
		return inbound{}, invalid("message has neither Body nor media")
	}
	return in, nil
}

func parseMedia(f url.Values) ([]string, error) {
	nm := f.Get("NumMedia")
	if nm == "" {
		nm = "0"
	}
	n, err := strconv.Atoi(nm)
	if err != nil || n < 0 || n > maxMedia {
		return nil, invalid("NumMedia %q is not a number from 0 to %d", clip(nm), maxMedia)
	}
	urls := make([]string, 0, n)
	for i := range n {
		raw := f.Get("MediaUrl" + strconv.Itoa(i))
		u, err := url.Parse(raw)
		if err != nil || len(raw) > maxURL || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, invalid("MediaUrl%d is not an http(s) URL", i)
		}
		urls = append(urls, raw)
	}
	return urls, nil
}

// status is a parsed message status callback.
type status struct {
	MessageSID string
	Status     string
	ErrorCode  int
}

// statusRank orders a message's life; a callback that arrives late (Twilio
// does not promise order) never moves a message back.
var statusRank = map[string]int{
	"sending": 0, "accepted": 1, "scheduled": 1, "queued": 2, "sent": 3,
	"delivered": 4, "undelivered": 4, "failed": 4, "read": 5, "canceled": 4,
}

func parseStatus(f url.Values) (status, error) {
	s := status{MessageSID: f.Get("MessageSid"), Status: f.Get("MessageStatus")}
	if s.Status == "" {
		s.Status = f.Get("SmsStatus")
	}
	if !messageSID.MatchString(s.MessageSID) {
		return status{}, invalid("MessageSid %q is not a message SID", clip(s.MessageSID))
	}
	if _, ok := statusRank[s.Status]; !ok {
		return status{}, invalid("MessageStatus %q is not a message status", clip(s.Status))
	}
	if ec := f.Get("ErrorCode"); ec != "" {
		n, err := strconv.Atoi(ec)
		if err != nil || n < 0 || n > 999999 {
			return status{}, invalid("ErrorCode %q is not a number", clip(ec))
		}
		s.ErrorCode = n
	}
	return s, nil
}

func invalid(format string, args ...any) error {
	return switchboard.Errorf(switchboard.ErrInvalid, format, args...)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
