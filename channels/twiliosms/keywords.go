package twiliosms

import "strings"

// keyword is what a single-word text asks of consent.
type keyword int

const (
	kwNone keyword = iota
	kwStop
	kwStart
	kwHelp
)

// String is the keyword as sms_receive takes it: "", "stop", "start" or
// "help".
func (k keyword) String() string {
	return [...]string{kwNone: "", kwStop: "stop", kwStart: "start", kwHelp: "help"}[k]
}

// keywords are Twilio's default opt-out, opt-in and help words (exact,
// single-word, case-insensitive), and the Chinese carriers' 退订 / TD.
var keywords = map[string]keyword{
	"STOP": kwStop, "STOPALL": kwStop, "UNSUBSCRIBE": kwStop, "CANCEL": kwStop, "END": kwStop,
	"QUIT": kwStop, "REVOKE": kwStop, "OPTOUT": kwStop, "退订": kwStop, "TD": kwStop,
	"START": kwStart, "YES": kwStart, "UNSTOP": kwStart,
	"HELP": kwHelp, "INFO": kwHelp,
}

// parseKeyword recognises body as a keyword only when it is the whole text:
// "Stop please" is a message for an agent, not an opt-out.
func parseKeyword(body string) (keyword, string) {
	w := strings.ToUpper(strings.Trim(strings.TrimSpace(body), ".!。！"))
	return keywords[w], w
}

// twilioHandles reports whether Twilio itself answers the keyword on a long
// code (its default opt-out handling), so the bank must not reply too.
func twilioHandles(word string) bool {
	return word != "退订" && word != "TD"
}
