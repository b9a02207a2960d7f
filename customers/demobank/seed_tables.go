package demobank

import "time"

// The tables filled per customer. Nullable columns get nil, not a zero
// value.

func orNil[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

var customerCopy = tableCopy{
	table: "customers",
	cols: []string{"id", "kind", "name", "name_zh", "phone", "phone_alt", "email", "chat_id", "national_id",
		"birth_date", "language", "time_zone", "region", "risk_preference", "value_tier", "activity_layer",
		"lifecycle_stage", "rm_id", "aum", "profit_12m", "txn_count_90d", "last_txn_at", "products",
		"preferred_channel", "opt_out_call", "opt_out_sms", "do_not_call", "risk_flag", "created_at", "updated_at"},
	fill: func(s *seeder, g *gen, i uint64, rows [][]any) [][]any {
		p := s.person(g.r, g.src, i)
		kind := "individual"
		if p.corporate {
			kind = "corporate"
		}
		return append(rows, []any{p.id, kind, p.name, p.nameZh, p.phone, orNil(p.phoneAlt), p.email, orNil(p.chatID), p.nationalID,
			timeOrNil(p.birth), p.language, p.zone, p.region, p.risk, string(p.tier), string(p.layer),
			p.lifecycle, orNil(p.rm), money(p.aum), money(p.profit), p.txn90, timeOrNil(p.lastTxn), p.products,
			p.preferred, p.optCall, p.optSMS, p.dnc, p.riskFlag, p.created, s.now})
	},
}

var accountCopy = tableCopy{
	table: "accounts",
	cols:  []string{"customer_id", "number", "product", "balance", "currency", "opened_at", "matures_at", "status"},
	fill: func(s *seeder, g *gen, i uint64, rows [][]any) [][]any {
		p := s.core(g.r, g.src, i)
		s.wealth(g.r, g.src, &p)
		for _, a := range p.accounts {
			rows = append(rows, []any{p.id, a.number, a.product, money(a.balance), "CNY", a.opened, timeOrNil(a.matures), a.status})
		}
		return rows
	},
}

var noteBodies = []string{
	"Prefers to be called after 18:00.", "客户希望下午三点后联系。", "Interested in the 3-year wealth product; send the brochure.",
	"客户对理财产品到期后的续投有疑问,需客户经理回电。", "Asked about raising the credit-card limit.", "Travelling abroad next month; card travel notice set.",
	"客户反映手机银行登录困难,已指导重置。", "Wants a review of the mortgage rate at the next repricing date.",
	"Speaks English at home; prefers English service.", "家属代办业务需提供授权书。",
}

// noteCopy: private and VIP customers carry their RM's notes, one in twenty
// others a note from an agent.
var noteCopy = tableCopy{
	table: "notes",
	cols:  []string{"customer_id", "agent_id", "body", "created_at"},
	fill: func(s *seeder, g *gen, i uint64, rows [][]any) [][]any {
		p := s.core(g.r, g.src, i)
		s.side(g.r, g.src, &p)
		n, author := 0, p.rm
		switch {
		case p.rm != 0:
			n = 1 + p.notes%3
		case p.notes < 5:
			n, author = 1, s.crew.all[p.notes*7919%len(s.crew.all)]
		}
		for k := range n {
			at := s.now.Add(-between(g.r, day, 365*day)).Truncate(time.Second)
			rows = append(rows, []any{p.id, author, noteBodies[(p.notes+k*3)%len(noteBodies)], at})
		}
		return rows
	},
}

var complaintKinds = []struct{ category, summary string }{
	{"fees", "Annual card fee charged although waived"}, {"fees", "账户管理费扣收有误"},
	{"service", "Waited over 20 minutes on the hotline"}, {"service", "网点服务态度差"},
	{"card", "Card blocked abroad without notice"}, {"loan", "Mortgage prepayment penalty disputed"},
	{"wealth_product", "理财产品收益低于宣传"}, {"fraud_dispute", "Unrecognised card transaction"},
}

// complaintCopy: one customer in seventy has a complaint; a third of them
// are still open or in progress, with a 15-day due time.
var complaintCopy = tableCopy{
	table: "complaints",
	cols:  []string{"customer_id", "category", "severity", "status", "summary", "owner_id", "opened_at", "due_at", "closed_at"},
	fill: func(s *seeder, g *gen, i uint64, rows [][]any) [][]any {
		p := s.core(g.r, g.src, i)
		s.side(g.r, g.src, &p)
		if p.complaint >= 14 {
			return rows
		}
		k := complaintKinds[g.r.IntN(len(complaintKinds))]
		opened := s.now.Add(-between(g.r, time.Hour, 400*day)).Truncate(time.Second)
		due := opened.Add(15 * day)
		status := []string{"open", "in_progress", "resolved", "closed", "closed", "closed"}[g.r.IntN(6)]
		var closed any
		if status == "resolved" || status == "closed" {
			closed = opened.Add(between(g.r, time.Hour, 14*day))
		} else if opened.Before(s.now.Add(-30 * day)) {
			status = "closed" // nothing stays open a month in the demo bank
			closed = opened.Add(between(g.r, time.Hour, 14*day))
		}
		owner := s.crew.sups["complaints"]
		if team := s.crew.byTeam["complaints"]; len(team) > 0 && g.r.IntN(3) > 0 {
			owner = team[g.r.IntN(len(team))]
		}
		severity := []string{"low", "normal", "normal", "high", "critical"}[g.r.IntN(5)]
		return append(rows, []any{p.id, k.category, severity, status, k.summary, owner, opened, due, closed})
	},
}

// consentCopy records why each opted-out customer is opted out.
var consentCopy = tableCopy{
	table: "consent_changes",
	cols:  []string{"customer_id", "phone", "kind", "opted_out", "source", "detail", "at"},
	fill: func(s *seeder, g *gen, i uint64, rows [][]any) [][]any {
		p := s.core(g.r, g.src, i)
		s.side(g.r, g.src, &p)
		add := func(on bool, kind, source, detail string) {
			if on {
				at := s.now.Add(-between(g.r, day, 700*day)).Truncate(time.Second)
				rows = append(rows, []any{p.id, p.phone, kind, true, source, detail, at})
			}
		}
		add(p.optCall, "call", "agent", "verbal request during a call")
		stop := "退订"
		if p.country.english {
			stop = "STOP"
		}
		add(p.optSMS, "sms", "sms_stop", stop)
		add(p.dnc, "dnc", "customer_request", "written request at a branch")
		return rows
	},
}
