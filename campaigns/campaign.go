package campaigns

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"switchboard"
)

// State is where a campaign is in its life:
// draft → scheduled → running ⇄ paused → completed, or cancelled from any
// state before completed.
type State string

const (
	Draft     State = "draft"
	Scheduled State = "scheduled"
	Running   State = "running"
	Paused    State = "paused"
	Completed State = "completed"
	Cancelled State = "cancelled"
)

// transitions lists the states a campaign may move to from each state.
var transitions = map[State][]State{
	Draft:     {Scheduled, Cancelled},
	Scheduled: {Running, Paused, Cancelled, Draft},
	Running:   {Paused, Completed, Cancelled},
	Paused:    {Running, Completed, Cancelled},
}

// CanMove reports whether a campaign in s may move to to.
func (s State) CanMove(to State) bool {
	for _, t := range transitions[s] {
		if t == to {
			return true
		}
	}
	return false
}

// DialMode is how a voice campaign paces its calls.
type DialMode string

const (
	// Preview gives the agent the contact and its screen pop first; the
	// agent chooses to dial.
	Preview DialMode = "preview"
	// Progressive places one call per free campaign agent.
	Progressive DialMode = "progressive"
	// Predictive places more calls than free agents, from the observed
	// answer rate and handle time, held under the abandon cap.
	Predictive DialMode = "predictive"
)

// Campaign is one outbound run.
type Campaign struct {
	ID        int64               `json:"id"`
	Name      string              `json:"name"`
	Channel   switchboard.Channel `json:"channel"`
	State     State               `json:"state"`
	Audience  Audience            `json:"audience"`
	Script    string              `json:"script,omitempty"`   // what the agent says, with {placeholders}
	Template  string              `json:"template,omitempty"` // the SMS, with {placeholders}
	DialMode  DialMode            `json:"dial_mode,omitempty"`
	Queue     string              `json:"queue,omitempty"`     // where answered calls wait for an agent
	AgentIDs  []int64             `json:"agent_ids,omitempty"` // the campaign's agents
	StartsAt  time.Time           `json:"starts_at"`
	EndsAt    time.Time           `json:"ends_at"`
	Window    Window              `json:"window"`
	Rules     Rules               `json:"rules"`
	CallerID  string              `json:"caller_id,omitempty"`
	CreatedBy int64               `json:"created_by,omitempty"`
	CreatedAt time.Time           `json:"created_at"`
	UpdatedAt time.Time           `json:"updated_at"`
}

// Rules are the retry, attempt and pacing rules of a campaign. In JSON the
// retry delays are whole seconds, named with an _s suffix (see rulesJSON).
type Rules struct {
	MaxAttempts   int
	RetryNoAnswer time.Duration
	RetryBusy     time.Duration
	RetryMachine  time.Duration
	MachineAction string // retry or voicemail
	Voicemail     string
	AbandonCap    float64
	SMSPerMinute  int
}

// rulesJSON is Rules on the wire: delays in seconds, the unit in the name,
// so an integrator never guesses (time.Duration would be nanoseconds).
type rulesJSON struct {
	MaxAttempts   int     `json:"max_attempts"`
	RetryNoAnswer int64   `json:"retry_no_answer_s"`
	RetryBusy     int64   `json:"retry_busy_s"`
	RetryMachine  int64   `json:"retry_machine_s"`
	MachineAction string  `json:"machine_action"`
	Voicemail     string  `json:"voicemail,omitempty"`
	AbandonCap    float64 `json:"abandon_cap"`
	SMSPerMinute  int     `json:"sms_per_minute"`
}

// MarshalJSON writes the delays as whole seconds.
func (r Rules) MarshalJSON() ([]byte, error) {
	return json.Marshal(rulesJSON{r.MaxAttempts, int64(r.RetryNoAnswer / time.Second), int64(r.RetryBusy / time.Second),
		int64(r.RetryMachine / time.Second), r.MachineAction, r.Voicemail, r.AbandonCap, r.SMSPerMinute})
}

// UnmarshalJSON reads the delays as seconds, strictly: an unknown field (the
// old unit-less retry_no_answer, say) is an error, not silently ignored.
func (r *Rules) UnmarshalJSON(b []byte) error {
	var j rulesJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	*r = Rules{j.MaxAttempts, time.Duration(j.RetryNoAnswer) * time.Second, time.Duration(j.RetryBusy) * time.Second,
		time.Duration(j.RetryMachine) * time.Second, j.MachineAction, j.Voicemail, j.AbandonCap, j.SMSPerMinute}
	return nil
}

// DefaultRules are a bank's usual outbound rules: three attempts, an
// abandon cap of 3 %.
func DefaultRules() Rules {
	return Rules{MaxAttempts: 3, RetryNoAnswer: 4 * time.Hour, RetryBusy: 30 * time.Minute,
		RetryMachine: 24 * time.Hour, MachineAction: "retry", AbandonCap: 0.03, SMSPerMinute: 600}
}

// e164 is a phone number in E.164 form: "+", a country code, at most 15
// digits in all.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// Validate returns ErrInvalid naming the first thing wrong with c.
func (c *Campaign) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "" || len(c.Name) > 200:
		return invalid("a campaign needs a name of 1 to 200 characters")
	case c.Channel != switchboard.ChannelVoice && c.Channel != switchboard.ChannelSMS:
		return invalid("channel must be voice or sms, not %q", c.Channel)
	case c.Channel == switchboard.ChannelSMS && strings.TrimSpace(c.Template) == "":
		return invalid("an SMS campaign needs a message template")
	case c.Channel == switchboard.ChannelVoice && c.DialMode != Preview && c.DialMode != Progressive && c.DialMode != Predictive:
		return invalid("dial mode must be preview, progressive or predictive, not %q", c.DialMode)
	case c.Channel == switchboard.ChannelVoice && len(c.AgentIDs) == 0 && c.Queue == "":
		return invalid("a voice campaign needs agents or a queue")
	case c.StartsAt.IsZero() || !c.EndsAt.After(c.StartsAt):
		return invalid("a campaign needs a start and an end after it")
	case c.CallerID != "" && !e164.MatchString(c.CallerID):
		return invalid("caller id %q must be one of the bank's numbers in E.164 form (+8610955880)", c.CallerID)
	}
	if err := validTemplate(c.Template); err != nil {
		return err
	}
	if err := validTemplate(c.Script); err != nil {
		return err
	}
	if err := c.Window.validate(); err != nil {
		return err
	}
	if err := c.Rules.validate(); err != nil {
		return err
	}
	return c.Audience.validate()
}

func (r Rules) validate() error {
	switch {
	case r.MaxAttempts < 1 || r.MaxAttempts > 20:
		return invalid("max attempts must be 1 to 20")
	case r.RetryNoAnswer < time.Minute || r.RetryBusy < time.Minute || r.RetryMachine < time.Minute:
		return invalid("retry delays must be at least a minute")
	case r.MachineAction != "retry" && r.MachineAction != "voicemail":
		return invalid("machine action must be retry or voicemail")
	case r.MachineAction == "voicemail" && strings.TrimSpace(r.Voicemail) == "":
		return invalid("a voicemail action needs the voicemail text")
	case r.AbandonCap <= 0 || r.AbandonCap >= 0.2:
		return invalid("abandon cap must be above 0 and under 0.2")
	case r.SMSPerMinute < 1 || r.SMSPerMinute > 100000:
		return invalid("SMS send rate must be 1 to 100000 a minute")
	}
	return nil
}

func invalid(format string, args ...any) error {
	return switchboard.Errorf(switchboard.ErrInvalid, format, args...)
}
