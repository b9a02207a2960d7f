package twiliovoice

import (
	"fmt"
	"strings"

	"switchboard"
)

// Menu is the IVR: the language question, then the intent question, each
// with a default for a caller who presses nothing or a wrong key.
type Menu struct {
	Greeting        string            // said first, in both languages
	LanguagePrompt  string            // e.g. "中文服务请按1。For English, press 2."
	Languages       map[string]string // digit → "zh" or "en"
	DefaultLanguage string            // when no key: the customer's language, else this
	Intents         []Intent
	DefaultQueue    string            // when no key or a wrong one, twice
	Timeout         int               // seconds each question waits; 5 if zero
	HoldMusic       string            // URL of the hold music
	HoldPrompt      map[string]string // by language; said on every hold loop
	CallbackKey     string            // the key for a callback; "" disables virtual hold
	CallbackConfirm map[string]string
	CallbackGreet   map[string]string // said when the bank calls back
	InvalidChoice   map[string]string
}

// Intent is one choice of the intent question.
type Intent struct {
	Digit string
	Queue string
	Label map[string]string // by language, as said in the prompt
}

// DefaultMenu is a retail bank's menu in Chinese and English.
func DefaultMenu() Menu {
	return Menu{
		Greeting:        "您好，欢迎致电本行。Welcome to Switchboard Bank.",
		LanguagePrompt:  "中文服务请按1。For English, press 2.",
		Languages:       map[string]string{"1": "zh", "2": "en"},
		DefaultLanguage: "zh",
		Intents: []Intent{
			{"1", "cards", map[string]string{"zh": "信用卡和借记卡", "en": "cards"}},
			{"2", "loans", map[string]string{"zh": "贷款", "en": "loans and mortgages"}},
			{"3", "wealth", map[string]string{"zh": "理财和投资", "en": "wealth and investments"}},
			{"4", "complaints", map[string]string{"zh": "投诉与建议", "en": "complaints"}},
			{"0", "general", map[string]string{"zh": "其他业务", "en": "anything else"}},
		},
		DefaultQueue: "general",
		Timeout:      5,
		HoldMusic:    "https://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3",
		HoldPrompt: map[string]string{
			"zh": "您的来电非常重要，请稍候，我们将尽快为您接通。如需回电，请按9。",
			"en": "Your call is important to us. Please hold for the next available agent, or press 9 to be called back.",
		},
		CallbackKey: "9",
		CallbackConfirm: map[string]string{
			"zh": "好的，我们将保留您的排队位置，并尽快回电。再见。",
			"en": "Thank you. You keep your place in the queue and we will call you back shortly. Goodbye.",
		},
		CallbackGreet: map[string]string{
			"zh": "您好，这是本行给您的回电，正在为您接通客服。",
			"en": "Hello, this is Switchboard Bank returning your call. Connecting you to an agent now.",
		},
		InvalidChoice: map[string]string{"zh": "输入有误。", "en": "Sorry, that is not a valid choice."},
	}
}

func (m Menu) validate() error {
	if len(m.Languages) == 0 || len(m.Intents) == 0 || m.DefaultQueue == "" {
		return switchboard.Errorf(switchboard.ErrInvalid, "twiliovoice: the menu needs languages, intents and a default queue")
	}
	seen := map[string]bool{m.CallbackKey: m.CallbackKey != ""}
	for _, in := range m.Intents {
		if len(in.Digit) != 1 || !strings.Contains("0123456789*#", in.Digit) || in.Queue == "" {
			return switchboard.Errorf(switchboard.ErrInvalid, "twiliovoice: intent %q needs one key and a queue", in.Digit)
		}
		seen[in.Digit] = true
	}
	for d, l := range m.Languages {
		if l != "zh" && l != "en" {
			return switchboard.Errorf(switchboard.ErrInvalid, "twiliovoice: language %q for key %s is not zh or en", l, d)
		}
	}
	return nil
}

// queue returns the queue of an intent key, or "" for a wrong key.
func (m Menu) queue(digit string) string {
	for _, in := range m.Intents {
		if in.Digit == digit {
			return in.Queue
		}
	}
	return ""
}

// intentPrompt lists the intents in the caller's language.
func (m Menu) intentPrompt(lang string) string {
	var b strings.Builder
	for _, in := range m.Intents {
		if lang == "en" {
			fmt.Fprintf(&b, "For %s, press %s. ", in.Label["en"], in.Digit)
		} else {
			fmt.Fprintf(&b, "%s请按%s。", in.Label["zh"], in.Digit)
		}
	}
	return strings.TrimSpace(b.String())
}

// sayLanguage is the Say language attribute for a language.
func sayLanguage(lang string) string {
	if lang == "en" {
		return "en-US"
	}
	return "cmn-CN"
}
