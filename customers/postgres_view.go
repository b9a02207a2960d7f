package customers

import (
	"strconv"

	"github.com/jackc/pgx/v5"
)

// The queries of a view. Each finds the customer through the subquery sel on
// $1 and scans into v when the batch is read.

func queueProfile(b *pgx.Batch, sel string, key any, v *View, rmID *int64) {
	b.Queue(`SELECT c.id, c.kind, c.name, c.name_zh, coalesce(c.phone, ''), coalesce(c.phone_alt, ''),
			c.email, coalesce(c.chat_id, ''), c.national_id, c.birth_date, c.language, c.time_zone,
			c.region, c.risk_preference, c.value_tier, c.activity_layer, c.lifecycle_stage,
			c.preferred_channel, (c.aum * 100)::bigint, (c.profit_12m * 100)::bigint, c.txn_count_90d,
			c.last_txn_at, c.products, c.created_at, c.opt_out_call, c.opt_out_sms, c.do_not_call,
			c.risk_flag, coalesce(c.rm_id, 0), coalesce(r.name, '')
		FROM customers c LEFT JOIN agents r ON r.id = c.rm_id
		WHERE c.id = (`+sel+`)`, key).QueryRow(func(row pgx.Row) error {
		c := &v.Customer
		var rmName string
		err := row.Scan(&c.ID, &c.Kind, &c.Name, &c.NameZh, &c.Phone, &c.PhoneAlt,
			&c.Email, &c.ChatID, &c.NationalID, &c.BirthDate, &c.Language, &c.TimeZone,
			&c.Region, &c.RiskPreference, &c.ValueTier, &c.ActivityLayer, &c.LifecycleStage,
			&c.PreferredChannel, &c.AUM, &c.Profit12m, &c.TxnCount90d,
			&c.LastTxnAt, &c.Products, &c.CreatedAt, &v.Consent.OptOutCall, &v.Consent.OptOutSMS, &v.Consent.DoNotCall,
			&v.Risk.Flag, rmID, &rmName)
		if *rmID != 0 {
			v.RM = &Staff{ID: *rmID, Name: rmName}
		}
		return err
	})
}

func queueAccounts(b *pgx.Batch, sel string, key any, v *View) {
	v.Accounts = []Account{}
	b.Queue(`SELECT id, number, product, (balance * 100)::bigint, currency, status, opened_at, matures_at
		FROM accounts WHERE customer_id = (`+sel+`) AND status <> 'closed'
		ORDER BY opened_at, id LIMIT `+strconv.Itoa(maxAccounts), key).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var a Account
			if err := rows.Scan(&a.ID, &a.Number, &a.Product, &a.Balance, &a.Currency, &a.Status, &a.OpenedAt, &a.MaturesAt); err != nil {
				return err
			}
			v.Accounts = append(v.Accounts, a)
		}
		return rows.Err()
	})
}

func queueContacts(b *pgx.Batch, sel string, key any, v *View) {
	v.Interactions = []Contact{}
	b.Queue(`SELECT i.id, i.channel, i.direction, i.state, i.queue, coalesce(i.agent_id, 0), coalesce(a.name, ''),
			i.disposition, i.end_reason, i.created_at, i.answered_at, i.ended_at
		FROM interactions i LEFT JOIN agents a ON a.id = i.agent_id
		WHERE i.customer_id = (`+sel+`)
		ORDER BY i.created_at DESC, i.id DESC LIMIT `+strconv.Itoa(RecentInteractions), key).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var c Contact
			var agent Staff
			if err := rows.Scan(&c.ID, &c.Channel, &c.Direction, &c.State, &c.Queue, &agent.ID, &agent.Name,
				&c.Disposition, &c.EndReason, &c.CreatedAt, &c.AnsweredAt, &c.EndedAt); err != nil {
				return err
			}
			c.Agent = staff(agent)
			v.Interactions = append(v.Interactions, c)
		}
		return rows.Err()
	})
}

func queueComplaints(b *pgx.Batch, sel string, key any, v *View) {
	v.Complaints = []Complaint{}
	b.Queue(`SELECT k.id, k.category, k.severity, k.status, k.summary, coalesce(k.owner_id, 0), coalesce(a.name, ''),
			k.opened_at, k.due_at
		FROM complaints k LEFT JOIN agents a ON a.id = k.owner_id
		WHERE k.customer_id = (`+sel+`) AND k.status IN ('open', 'in_progress')
		ORDER BY k.opened_at, k.id`, key).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var c Complaint
			var owner Staff
			if err := rows.Scan(&c.ID, &c.Category, &c.Severity, &c.Status, &c.Summary, &owner.ID, &owner.Name,
				&c.OpenedAt, &c.DueAt); err != nil {
				return err
			}
			c.Owner = staff(owner)
			v.Complaints = append(v.Complaints, c)
		}
		return rows.Err()
	})
}

func queueNotes(b *pgx.Batch, sel string, key any, v *View) {
	v.Notes = []Note{}
	b.Queue(`SELECT n.id, coalesce(n.interaction_id, 0), coalesce(n.agent_id, 0), coalesce(a.name, ''), n.body, n.created_at
		FROM notes n LEFT JOIN agents a ON a.id = n.agent_id
		WHERE n.customer_id = (`+sel+`)
		ORDER BY n.created_at DESC, n.id DESC LIMIT `+strconv.Itoa(RecentNotes), key).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var n Note
			var author Staff
			if err := rows.Scan(&n.ID, &n.InteractionID, &author.ID, &author.Name, &n.Body, &n.CreatedAt); err != nil {
				return err
			}
			n.Author = staff(author)
			v.Notes = append(v.Notes, n)
		}
		return rows.Err()
	})
}

func queueConsent(b *pgx.Batch, sel string, key any, v *View) {
	v.Consent.Changes = []ConsentChange{}
	b.Queue(`SELECT kind, opted_out, source, at FROM consent_changes
		WHERE customer_id = (`+sel+`)
		ORDER BY at DESC, id DESC LIMIT `+strconv.Itoa(RecentConsent), key).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var c ConsentChange
			if err := rows.Scan(&c.Kind, &c.OptedOut, &c.Source, &c.At); err != nil {
				return err
			}
			c.At = c.At.UTC()
			v.Consent.Changes = append(v.Consent.Changes, c)
		}
		return rows.Err()
	})
}

func staff(s Staff) *Staff {
	if s.ID == 0 {
		return nil
	}
	return &s
}

// summarise totals the open accounts by product, in the order products first
// appear. AUM and profit are the bank's figures from the customer record.
func summarise(c Customer, accounts []Account) Holdings {
	h := Holdings{AUM: c.AUM, Profit12m: c.Profit12m, ByProduct: []Holding{}}
	at := map[string]int{}
	for _, a := range accounts {
		if a.Status != "open" {
			continue
		}
		h.OpenAccounts++
		i, ok := at[a.Product]
		if !ok {
			i = len(h.ByProduct)
			at[a.Product] = i
			h.ByProduct = append(h.ByProduct, Holding{Product: a.Product})
		}
		h.ByProduct[i].Count++
		h.ByProduct[i].Balance += a.Balance
	}
	return h
}

func queueAlerts(b *pgx.Batch, sel string, key any, v *View) {
	v.Alerts = []Alert{}
	b.Queue(`SELECT kind, (amount * 100)::bigint, currency, occurred_at, source FROM customer_events
		WHERE customer_id = (`+sel+`) AND occurred_at > $2
		ORDER BY occurred_at DESC, id DESC LIMIT `+strconv.Itoa(RecentAlerts), key, v.ViewedAt.Add(-AlertWindow)).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var a Alert
			if err := rows.Scan(&a.Kind, &a.Amount, &a.Currency, &a.OccurredAt, &a.Source); err != nil {
				return err
			}
			v.Alerts = append(v.Alerts, a)
		}
		return rows.Err()
	})
}
