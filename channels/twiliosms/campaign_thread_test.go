package twiliosms_test

import (
	"testing"

	"switchboard/routing"
)

// TestCampaignReplyThreaded: a customer answers a campaign's text; the
// reply joins the interaction the campaign recorded (reopened and routed),
// unless the campaign text is older than the thread window.
func TestCampaignReplyThreaded(t *testing.T) {
	cases := map[string]struct {
		sentAgo string
		joins   bool
	}{
		"within the window": {"2 hours", true},
		"after the window":  {"30 hours", false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env, _ := setup(t)
			cust := env.AddCustomer("Li Wei", customerPhone, "vip")
			agent := env.AddAgent("amy")
			var campaignText int64
			err := env.Pool.QueryRow(env.Ctx, `WITH i AS (INSERT INTO interactions (channel, direction, state, customer_id, from_addr, to_addr,
					created_at, ended_at, end_reason)
				VALUES ('sms', 'outbound', 'done', $1, $2, '+10000000000', now() - $3::interval, now() - $3::interval, 'campaign_sms') RETURNING id),
				m AS (INSERT INTO messages (interaction_id, direction, body, status, created_at, status_at)
					SELECT id, 'outbound', 'Your deposit matures on Friday. Reply to talk to us.', 'delivered', now() - $3::interval, now() FROM i)
				SELECT id FROM i`, cust, customerPhone, tc.sentAgo).Scan(&campaignText)
			if err != nil {
				t.Fatal(err)
			}
			sid, err := env.Sim.Text(env.Ctx, customerPhone, "Yes, please call me")
			if err != nil {
				t.Fatal(err)
			}
			got := interactionOf(env, sid)
			if (got == campaignText) != tc.joins {
				t.Fatalf("reply went to interaction %d; campaign text is %d, want joined = %v", got, campaignText, tc.joins)
			}
			if offer := env.WaitEvent(routing.EventOffer, got); offer.AgentID != agent {
				t.Fatalf("reply offered to %d, want %d", offer.AgentID, agent)
			}
			if tc.joins {
				if n := env.Count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind = 'reopened'`, got); n != 1 {
					t.Fatalf("%d reopened events, want 1", n)
				}
				if n := env.Count(`SELECT count(*) FROM messages WHERE interaction_id = $1`, got); n != 2 {
					t.Fatalf("thread has %d messages, want the campaign's and the reply", n)
				}
			}
		})
	}
}
