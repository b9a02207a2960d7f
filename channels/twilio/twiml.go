package twilio

import (
	"encoding/xml"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// The TwiML Switchboard writes by hand. The voice channel's menus and hold
// loop are built with twilio-go's twiml elements; these are the documents
// that are the same for every call, or that go to Twilio as a REST
// parameter rather than as a webhook's answer.

// xmlDeclaration begins every TwiML document that answers a webhook.
const xmlDeclaration = `<?xml version="1.0" encoding="UTF-8"?>`

// Hangup is TwiML that ends the call.
const Hangup = "<Response><Hangup/></Response>"

// NoReply is the answer to a text that needs no reply. It is built once: it
// was a twentieth of an SMS webhook's Go time when built each time.
const NoReply = xmlDeclaration + "<Response/>"

// sorry answers a call whose webhook failed on our side.
var sorry = Document(SayAndHangUp("对不起，系统繁忙，请稍后再拨。Sorry, we cannot take your call right now. Please call again later."))

// ConferenceName is the conference room of interaction id. The voice
// channel seats its callers, callbacks and agents there, and the dialer its
// answered customers, whom the voice channel's bridge then joins to the
// agent in the same room.
func ConferenceName(id int64) string { return "interaction-" + strconv.FormatInt(id, 10) }

// SayAndHangUp is TwiML that says msg and ends the call.
func SayAndHangUp(msg string) string {
	var b strings.Builder
	b.WriteString("<Response><Say>")
	xml.EscapeText(&b, []byte(msg))
	b.WriteString("</Say><Hangup/></Response>")
	return b.String()
}

// WaitInConference is TwiML that seats the caller in conference name,
// hearing Twilio's default music until a participant who starts the
// conference joins, and leaves the conference running when the caller
// leaves it.
func WaitInConference(name string) string {
	var b strings.Builder
	b.WriteString(`<Response><Dial><Conference startConferenceOnEnter="false" endConferenceOnExit="false">`)
	xml.EscapeText(&b, []byte(name))
	b.WriteString("</Conference></Dial></Response>")
	return b.String()
}

// Document is TwiML doc as a webhook's answer, after the XML declaration.
func Document(doc string) string { return xmlDeclaration + doc }

// WriteTwiML answers a webhook with document doc (see Document), as
// text/xml in UTF-8 unless the handler has set a Content-Type of its own.
func WriteTwiML(w http.ResponseWriter, doc string) error {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	}
	_, err := io.WriteString(w, doc)
	return err
}
