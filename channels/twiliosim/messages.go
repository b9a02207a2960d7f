package twiliosim

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Message is a text the simulator carried, either way.
type Message struct {
	SID            string
	From, To, Body string
	MediaURLs      []string
	Direction      string // inbound (to the bank) or outbound-api / outbound-reply
	Status         string
	StatusCallback string
	Created        time.Time
}

func (m *Message) json(s *Sim) map[string]any {
	return map[string]any{
		"sid": m.SID, "account_sid": s.cfg.AccountSID, "messaging_service_sid": nil,
		"from": m.From, "to": m.To, "body": m.Body, "status": m.Status, "direction": m.Direction,
		"num_segments": "1", "num_media": strconv.Itoa(len(m.MediaURLs)), "price": nil, "price_unit": "USD",
		"error_code": nil, "error_message": nil, "date_created": rfc2822(m.Created), "date_updated": rfc2822(m.Created),
		"date_sent": nil, "api_version": "2010-04-01", "uri": s.uri("Messages", m.SID),
		"subresource_uris": map[string]string{"media": strings.TrimSuffix(s.uri("Messages", m.SID), ".json") + "/Media.json"},
	}
}

func (s *Sim) createMessage(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	switch {
	case f.Get("To") == "":
		twilioError(w, 400, 21604, "A 'To' phone number is required.")
		return
	case f.Get("From") == "" && f.Get("MessagingServiceSid") == "":
		twilioError(w, 400, 21603, "A 'From' phone number is required.")
		return
	case f.Get("Body") == "" && len(f["MediaUrl"]) == 0:
		twilioError(w, 400, 21602, "Message body is required.")
		return
	case !strings.HasPrefix(f.Get("To"), "+"):
		twilioError(w, 400, 21211, "The 'To' number "+f.Get("To")+" is not a valid phone number.")
		return
	}
	s.mu.Lock()
	opted := s.optedOut[f.Get("To")]
	s.mu.Unlock()
	if opted {
		twilioError(w, 400, 21610, "Attempt to send to unsubscribed recipient")
		return
	}
	m := &Message{SID: NewSID("SM"), From: f.Get("From"), To: f.Get("To"), Body: f.Get("Body"), MediaURLs: f["MediaUrl"],
		Direction: "outbound-api", Status: "queued", StatusCallback: f.Get("StatusCallback"), Created: time.Now()}
	s.mu.Lock()
	s.msgs = append(s.msgs, m)
	s.carried = append(s.carried, m)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, m.json(s))
	go s.deliver(m)
}

// deliver moves an outbound message to sent, then delivered, with a status
// callback for each, and puts it in the recipient's inbox.
func (s *Sim) deliver(m *Message) {
	for _, st := range []string{"sent", "delivered"} {
		s.wait(200*time.Millisecond, nil)
		s.mu.Lock()
		m.Status = st
		if st == "delivered" {
			s.inbox[m.To] = append(s.inbox[m.To], m)
		}
		s.mu.Unlock()
		if m.StatusCallback == "" {
			continue
		}
		form := url.Values{"MessageSid": {m.SID}, "SmsSid": {m.SID}, "MessageStatus": {st}, "SmsStatus": {st},
			"AccountSid": {s.cfg.AccountSID}, "From": {m.From}, "To": {m.To}, "ApiVersion": {"2010-04-01"}}
		if st == "delivered" {
			form.Set("RawDlrDoneDate", time.Now().UTC().Format("0601021504"))
		}
		if _, _, err := s.post(context.Background(), m.StatusCallback, form); err != nil {
			s.log.Warn("twiliosim: message status callback", "sid", m.SID, "err", err)
		}
	}
}

func (s *Sim) fetchMessage(w http.ResponseWriter, r *http.Request) {
	sid := trimJSON(r.PathValue("sid"))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.carried {
		if m.SID == sid {
			writeJSON(w, http.StatusOK, m.json(s))
			return
		}
	}
	twilioError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
}

// Messages returns the messages created through the REST API.
func (s *Sim) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.msgs))
	for i, m := range s.msgs {
		out[i] = *m
	}
	return out
}

// Inbox returns what the phone number received: API messages once
// delivered, and TwiML replies to its texts.
func (s *Sim) Inbox(number string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.inbox[number]))
	for i, m := range s.inbox[number] {
		out[i] = *m
	}
	return out
}

// optOutWords are Twilio's default opt-out and opt-in keywords; Twilio
// itself then refuses sends to the number with error 21610.
var optOutWords = map[string]bool{"STOP": true, "STOPALL": true, "UNSUBSCRIBE": true, "CANCEL": true, "END": true, "QUIT": true}
var optInWords = map[string]bool{"START": true, "YES": true, "UNSTOP": true}

// Text sends a text from a simulated phone to the bank's number, as Twilio
// delivers it to the SMS webhook, and returns the message's SID. TwiML
// <Message> replies land in the phone's inbox.
func (s *Sim) Text(ctx context.Context, from, body string, media ...string) (string, error) {
	prefix := "SM"
	if len(media) > 0 {
		prefix = "MM"
	}
	sid := NewSID(prefix)
	return sid, s.TextWithSID(ctx, sid, from, body, media...)
}

// TextWithSID is Text with a given MessageSid: Twilio retrying a webhook
// sends the same SID again.
func (s *Sim) TextWithSID(ctx context.Context, sid, from, body string, media ...string) error {
	form := url.Values{"MessageSid": {sid}, "SmsSid": {sid}, "SmsMessageSid": {sid}, "AccountSid": {s.cfg.AccountSID},
		"From": {from}, "To": {s.cfg.Number}, "Body": {body}, "NumMedia": {strconv.Itoa(len(media))},
		"NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}, "FromCountry": {"CN"}}
	for i, u := range media {
		form.Set("MediaUrl"+strconv.Itoa(i), u)
		form.Set("MediaContentType"+strconv.Itoa(i), "image/jpeg")
	}
	s.noteKeyword(from, body)
	s.mu.Lock()
	s.carried = append(s.carried, &Message{SID: sid, From: from, To: s.cfg.Number, Body: body, MediaURLs: media,
		Direction: "inbound", Status: "received", Created: time.Now()})
	s.mu.Unlock()
	_, resp, err := s.post(ctx, s.cfg.SMSURL, form)
	if err != nil {
		return err
	}
	s.takeReplies(from, resp)
	return nil
}

func (s *Sim) noteKeyword(from, body string) {
	w := strings.ToUpper(strings.TrimSpace(body))
	s.mu.Lock()
	defer s.mu.Unlock()
	if optOutWords[w] {
		s.optedOut[from] = true
	} else if optInWords[w] {
		delete(s.optedOut, from)
	}
}

// takeReplies delivers the <Message> elements of a messaging TwiML answer.
func (s *Sim) takeReplies(to string, resp []byte) {
	var doc struct {
		Messages []struct {
			Body  string `xml:",chardata"`
			Inner struct {
				Body string `xml:",chardata"`
			} `xml:"Body"`
		} `xml:"Message"`
	}
	if xml.Unmarshal(resp, &doc) != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range doc.Messages {
		body := strings.TrimSpace(m.Body + m.Inner.Body)
		reply := &Message{SID: NewSID("SM"), From: s.cfg.Number, To: to, Body: body,
			Direction: "outbound-reply", Status: "delivered", Created: time.Now()}
		s.inbox[to] = append(s.inbox[to], reply)
		s.carried = append(s.carried, reply)
	}
}
