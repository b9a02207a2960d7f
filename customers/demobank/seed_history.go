package demobank

import (
	"math/rand/v2"
	"time"

	"switchboard"
	"switchboard/interactions"
)

// contact is one generated past interaction.
type contact struct {
	id                  int64
	channel             switchboard.Channel
	direction           switchboard.Direction
	state               switchboard.State
	customer            any // int64, or nil for an unidentified contact
	tier                switchboard.ValueTier
	queue               string
	agent               int64
	from, to            string
	disposition, reason string
	created             time.Time
	answered, ended     *time.Time
	language            string
}

// bankNumber is the demo bank's hotline, the other end of every call and SMS.
const bankNumber = "+8610955880"

// contactWeight is how often a customer of each tier contacts the bank,
// relative to one another: better customers call more, as they do.
// It is indexed by tier rank.
var contactWeight = [4]uint64{40, 20, 12, 8}

// weightBefore is the total contact weight of customers [0, i). Every block
// of 40 customers has the same mix of tiers, so whole blocks add up at once.
func (s *seeder) weightBefore(i uint64) uint64 {
	const block = 1*40 + 7*20 + 8*12 + 24*8
	w := i / 40 * block
	for k := i - i%40; k < i; k++ {
		w += contactWeight[s.tierOf(k).Rank()]
	}
	return w
}

// contactsOf returns the ids [first, end) of customer i's past interactions:
// the opts.Interactions ids shared out by weight, in customer order, so that
// every pass over a range of customers finds its interactions without
// keeping any state.
func (s *seeder) contactsOf(i uint64) (first, end uint64) {
	k, total := uint64(s.opts.Interactions), s.totalWeight
	before := s.weightBefore(i)
	after := before + contactWeight[s.tierOf(i).Rank()]
	return k*before/total + 1, k*after/total + 1
}

// contact generates interaction j of customer p: over the last two years,
// mostly inbound voice, answered by an agent of the queue's team (for a
// private-banking customer, often their own RM); some abandoned in the
// queue, some failed. One in fifty stayed unidentified.
func (s *seeder) contact(g *gen, p person, j uint64) contact {
	g.src.Seed(s.salt^streamInteraction, j)
	r := g.r
	c := contact{id: int64(j), customer: p.id, tier: p.tier, direction: switchboard.Inbound, language: "zh"}
	if r.IntN(50) == 0 {
		c.customer, c.tier = nil, switchboard.TierMass
		p.phone = phoneOf(china, s.n+j%1_000_000, true)
	}
	if p.country.english {
		c.language = "en"
	}
	c.channel = []switchboard.Channel{"voice", "voice", "voice", "voice", "voice", "voice", "chat", "chat", "chat", "sms"}[r.IntN(10)]
	if c.channel != switchboard.ChannelChat && r.IntN(10) == 0 {
		c.direction = switchboard.Outbound
	}
	c.queue = s.queueFor(r, p)
	c.from, c.to = p.phone, bankNumber
	if c.channel == switchboard.ChannelChat {
		c.from, c.to = "webchat-"+pad(j, 8), "webchat"
	} else if c.direction == switchboard.Outbound {
		c.from, c.to = bankNumber, p.phone
	}
	c.created = s.now.Add(-between(r, 10*time.Minute, 730*day)).Truncate(time.Second)
	s.outcome(r, p, &c)
	return c
}

func (s *seeder) queueFor(r *rand.Rand, p person) string {
	if p.tier == switchboard.TierPrivate && r.IntN(5) > 0 {
		return "private_banking"
	}
	switch u := r.IntN(100); {
	case u < 25:
		return "cards"
	case u < 40:
		return "loans"
	case u < 55 && p.tier != switchboard.TierMass:
		return "wealth"
	case u < 60:
		return "complaints"
	}
	return "general"
}

var (
	doneDispositions     = []string{"resolved", "resolved", "info_provided", "follow_up", "transferred", "sale", "complaint_logged"}
	outboundDispositions = []string{"sale", "not_interested", "call_back_later", "info_provided"}
)

// outcome decides how the interaction ended and who handled it.
func (s *seeder) outcome(r *rand.Rand, p person, c *contact) {
	u := r.IntN(100)
	switch {
	case c.direction == switchboard.Outbound && u < 40:
		c.state, c.reason = switchboard.StateFailed, []string{"no_answer", "busy", "no_answer"}[r.IntN(3)]
		end := c.created.Add(30 * time.Second)
		c.ended = &end
		return
	case c.direction == switchboard.Inbound && u < 9 && c.channel != switchboard.ChannelSMS:
		c.state, c.reason = switchboard.StateAbandoned, "abandoned_in_queue"
		end := c.created.Add(time.Duration(5+r.IntN(300)) * time.Second)
		c.ended = &end
		return
	case c.direction == switchboard.Inbound && u < 11:
		c.state, c.reason = switchboard.StateFailed, "network_error"
		end := c.created.Add(time.Duration(1+r.IntN(20)) * time.Second)
		c.ended = &end
		return
	}
	c.state = switchboard.StateDone
	c.agent = s.agentFor(r, p, c.queue)
	answered := c.created.Add(time.Duration(3+r.IntN(90)) * time.Second)
	talk := time.Duration(60+r.IntN(840)) * time.Second
	if c.channel != switchboard.ChannelVoice {
		talk *= 2
	}
	end := answered.Add(talk)
	c.answered, c.ended = &answered, &end
	c.disposition = doneDispositions[r.IntN(len(doneDispositions))]
	if c.direction == switchboard.Outbound {
		c.disposition = outboundDispositions[r.IntN(len(outboundDispositions))]
	}
	switch c.channel {
	case switchboard.ChannelVoice:
		c.reason = "customer_hangup"
	case switchboard.ChannelChat:
		c.reason = "chat_closed"
	default:
		c.reason = "resolved"
	}
}

func (s *seeder) agentFor(r *rand.Rand, p person, queue string) int64 {
	if p.rm != 0 && queue == "private_banking" && r.IntN(2) == 0 {
		return p.rm
	}
	team := s.crew.byTeam[queue]
	if len(team) == 0 {
		team = s.crew.all
	}
	return team[r.IntN(len(team))]
}

var interactionCopy = tableCopy{
	table: "interactions",
	cols:  interactions.HistoryColumns,
	into:  interactions.CopyHistory,
	fill: func(s *seeder, g *gen, i uint64, rows [][]any) [][]any {
		p := s.core(g.c, g.csrc, i)
		first, end := s.contactsOf(i)
		for j := first; j < end; j++ {
			rows = append(rows, s.interactionRow(s.contact(g, p, j)))
		}
		return rows
	},
}

// interactionRow is c as a row of interactions.HistoryColumns.
func (s *seeder) interactionRow(c contact) []any {
	return []any{c.id, string(c.channel), string(c.direction), string(c.state), c.customer, c.queue,
		string(c.tier), orNil(c.agent), c.from, c.to, c.disposition, c.created, timeOrNil(c.answered), timeOrNil(c.ended),
		c.reason, c.language}
}

// eventCopy gives each interaction its events.
var eventCopy = tableCopy{
	table: "interaction_events",
	cols:  interactions.HistoryEventColumns,
	into:  interactions.CopyHistoryEvents,
	fill: func(s *seeder, g *gen, i uint64, rows [][]any) [][]any {
		p := s.core(g.c, g.csrc, i)
		first, end := s.contactsOf(i)
		for j := first; j < end; j++ {
			rows = eventRows(s.contact(g, p, j), rows)
		}
		return rows
	},
}

// eventRows appends c's events: queued, and how it ended. A history
// imported from the old system keeps no more (when it was answered is on the
// interaction), which keeps the seed's largest table small.
func eventRows(c contact, rows [][]any) [][]any {
	rows = append(rows, []any{c.id, c.created, string(interactions.KindQueued), nil, `{"queue":"` + c.queue + `"}`})
	data := `{"reason":"` + c.reason + `"}`
	if c.disposition != "" {
		data = `{"reason":"` + c.reason + `","disposition":"` + c.disposition + `"}`
	}
	return append(rows, []any{c.id, *c.ended, string(c.state), orNil(c.agent), data})
}
