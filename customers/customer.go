package customers

import (
	"strconv"
	"time"

	"switchboard"
)

// Money is an amount in the smallest unit (fen, cents). It is written to JSON
// as a decimal number with two places, so no float ever holds a balance.
type Money int64

// MarshalJSON writes m as a JSON number such as 1234.50.
func (m Money) MarshalJSON() ([]byte, error) {
	return []byte(m.String()), nil
}

// String is m as a decimal: "-12.05".
func (m Money) String() string {
	sign, v := "", int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	cents := strconv.FormatInt(v%100, 10)
	if len(cents) == 1 {
		cents = "0" + cents
	}
	return sign + strconv.FormatInt(v/100, 10) + "." + cents
}

// Customer is the profile part of the view. Kind is individual or corporate;
// NationalID may be masked (see the package comment).
type Customer struct {
	ID               int64                     `json:"id"`
	Kind             string                    `json:"kind"`
	Name             string                    `json:"name"`
	NameZh           string                    `json:"name_zh,omitempty"`
	Phone            string                    `json:"phone,omitempty"`
	PhoneAlt         string                    `json:"phone_alt,omitempty"`
	Email            string                    `json:"email,omitempty"`
	ChatID           string                    `json:"chat_id,omitempty"`
	NationalID       string                    `json:"national_id,omitempty"`
	BirthDate        *time.Time                `json:"birth_date,omitempty"` // left out when the view is masked
	BirthYear        int                       `json:"birth_year,omitempty"`
	Language         string                    `json:"language"`
	TimeZone         string                    `json:"time_zone"`
	Region           string                    `json:"region,omitempty"`
	RiskPreference   string                    `json:"risk_preference"`
	ValueTier        switchboard.ValueTier     `json:"value_tier"`
	ActivityLayer    switchboard.ActivityLayer `json:"activity_layer"`
	LifecycleStage   string                    `json:"lifecycle_stage"`
	PreferredChannel string                    `json:"preferred_channel,omitempty"`
	AUM              Money                     `json:"aum"`
	Profit12m        Money                     `json:"profit_12m"`
	TxnCount90d      int                       `json:"txn_count_90d"`
	LastTxnAt        *time.Time                `json:"last_txn_at,omitempty"`
	Products         []string                  `json:"products"`
	CreatedAt        time.Time                 `json:"created_at"`
}

// Staff names a member of staff in a view: the RM, an interaction's agent,
// a note's author.
type Staff struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Account is one holding. Number may be masked. Loans and cards carry a
// negative balance (owed to the bank) and do not count towards AUM.
type Account struct {
	ID        int64      `json:"id"`
	Number    string     `json:"number"`
	Product   string     `json:"product"`
	Balance   Money      `json:"balance"`
	Currency  string     `json:"currency"`
	Status    string     `json:"status"`
	OpenedAt  time.Time  `json:"opened_at"`
	MaturesAt *time.Time `json:"matures_at,omitempty"`
}

// Holding is the total of one product type over the customer's open
// accounts.
type Holding struct {
	Product string `json:"product"`
	Count   int    `json:"count"`
	Balance Money  `json:"balance"`
}

// Holdings summarises the accounts: AUM and profit contribution as the bank
// computes them, totals by product, and how many accounts are open.
type Holdings struct {
	AUM          Money     `json:"aum"`
	Profit12m    Money     `json:"profit_12m"`
	OpenAccounts int       `json:"open_accounts"`
	ByProduct    []Holding `json:"by_product"`
}

// Contact is one past or live interaction on the customer's timeline, with
// its outcome.
type Contact struct {
	ID          int64                 `json:"id"`
	Channel     switchboard.Channel   `json:"channel"`
	Direction   switchboard.Direction `json:"direction"`
	State       switchboard.State     `json:"state"`
	Queue       string                `json:"queue,omitempty"`
	Agent       *Staff                `json:"agent,omitempty"`
	Disposition string                `json:"disposition,omitempty"`
	EndReason   string                `json:"end_reason,omitempty"`
	CreatedAt   time.Time             `json:"created_at"`
	AnsweredAt  *time.Time            `json:"answered_at,omitempty"`
	EndedAt     *time.Time            `json:"ended_at,omitempty"`
}

// Complaint is an open or in-progress complaint case.
type Complaint struct {
	ID       int64      `json:"id"`
	Category string     `json:"category"`
	Severity string     `json:"severity"`
	Status   string     `json:"status"`
	Summary  string     `json:"summary"`
	Owner    *Staff     `json:"owner,omitempty"`
	OpenedAt time.Time  `json:"opened_at"`
	DueAt    *time.Time `json:"due_at,omitempty"`
}

// Note is an agent's note about the customer.
type Note struct {
	ID            int64     `json:"id"`
	InteractionID int64     `json:"interaction_id,omitempty"`
	Author        *Staff    `json:"author,omitempty"`
	Body          string    `json:"body"`
	CreatedAt     time.Time `json:"created_at"`
}

// Consent is what the customer allows, with the latest recorded changes that
// justify it.
type Consent struct {
	OptOutCall bool            `json:"opt_out_call"`
	OptOutSMS  bool            `json:"opt_out_sms"`
	DoNotCall  bool            `json:"do_not_call"`
	Changes    []ConsentChange `json:"changes"`
}

// ConsentChange is one recorded consent decision.
type ConsentChange struct {
	Kind     string    `json:"kind"`
	OptedOut bool      `json:"opted_out"`
	Source   string    `json:"source"`
	At       time.Time `json:"at"`
}

// Risk holds the flag an agent must see before acting on the customer's
// behalf.
type Risk struct {
	Flag string `json:"flag,omitempty"` // "", watch, aml_review, fraud_alert
}

// Alert is a recent event from the bank's other systems (a large
// withdrawal, a maturing deposit, a birthday) for the agent to be aware of.
type Alert struct {
	Kind       string    `json:"kind"`
	Amount     *Money    `json:"amount,omitempty"`
	Currency   string    `json:"currency,omitempty"`
	OccurredAt time.Time `json:"occurred_at"`
	Source     string    `json:"source,omitempty"`
}

// View is the unified customer view, the screen pop.
type View struct {
	Customer     Customer    `json:"customer"`
	RM           *Staff      `json:"rm,omitempty"`
	Holdings     Holdings    `json:"holdings"`
	Accounts     []Account   `json:"accounts"`
	Interactions []Contact   `json:"interactions"` // newest first, at most RecentInteractions
	Complaints   []Complaint `json:"open_complaints"`
	Notes        []Note      `json:"notes"` // newest first, at most RecentNotes
	Consent      Consent     `json:"consent"`
	Risk         Risk        `json:"risk"`
	Alerts       []Alert     `json:"alerts"` // newest first, at most RecentAlerts from the last AlertWindow
	Masked       bool        `json:"masked"` // national ID and account numbers are masked
	ViewedAt     time.Time   `json:"viewed_at"`
}

// How much of the history a view carries.
const (
	RecentInteractions = 20
	RecentNotes        = 10
	RecentConsent      = 5
	RecentAlerts       = 5
	AlertWindow        = 90 * 24 * time.Hour
	maxAccounts        = 200
)

// Summary is one customer in a search result: enough to tell callers apart
// and link an unidentified contact, nothing more.
type Summary struct {
	ID            int64                     `json:"id"`
	Name          string                    `json:"name"`
	NameZh        string                    `json:"name_zh,omitempty"`
	Phone         string                    `json:"phone,omitempty"`
	ValueTier     switchboard.ValueTier     `json:"value_tier"`
	ActivityLayer switchboard.ActivityLayer `json:"activity_layer"`
	Region        string                    `json:"region,omitempty"`
}
