package interactions_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"switchboard"
	"switchboard/interactions"
	"switchboard/internal/testenv"
	"switchboard/routing"
)

func newRouting(t *testing.T, e *env) *routing.Engine {
	t.Helper()
	rdb, prefix := testenv.MustRedis(t)
	e.exec(`INSERT INTO queues (name, title) VALUES ('general', 'General')`)
	eng, err := routing.New(routing.Config{Centre: "t", Prefix: prefix}, rdb, e.pool, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Sweep(e.ctx); err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestStoreAndQueue: the interaction and its queued record commit
// together, or neither does; routing hears of it only through Route.
func TestStoreAndQueue(t *testing.T) {
	e := newEnv(t)
	eng := newRouting(t, e)
	failed := errors.New("the channel's own write failed")
	keep := func(routing.Task, error) error { return nil }
	for name, c := range map[string]struct {
		router  *routing.Engine
		refused interactions.Refused
		queue   string
		fail    error // what store returns after creating
		missing bool  // the task names no interaction
		want    error
		stored  bool // the interaction is committed
		routed  bool // with its queued record
	}{
		"queued":                {router: eng, queue: "general", stored: true, routed: true},
		"refused and kept":      {router: eng, refused: keep, queue: "nowhere", stored: true},
		"refused":               {router: eng, queue: "nowhere", want: switchboard.ErrInvalid},
		"the store fails":       {router: eng, queue: "general", fail: failed, want: failed},
		"no interaction":        {router: eng, queue: "general", missing: true, want: switchboard.ErrNotFound},
		"no router: store only": {queue: "general", stored: true},
	} {
		t.Run(name, func(t *testing.T) {
			from := "+86138" + testenv.Unique()[:8]
			var id int64
			qs, err := e.store.StoreAndQueue(e.ctx, c.router, c.refused, func(tx pgx.Tx, now time.Time) ([]routing.Task, error) {
				in := switchboard.Interaction{Channel: switchboard.ChannelSMS, Direction: switchboard.Inbound,
					State: switchboard.StateQueued, Queue: c.queue, From: from, To: "+8610955880"}
				if err := interactions.Create(e.ctx, tx, now, &in, "", nil); err != nil {
					return nil, err
				}
				id = in.ID
				task := routing.Task{InteractionID: id, Channel: switchboard.ChannelSMS, Queue: c.queue, Tier: in.Tier}
				if c.missing {
					task.InteractionID = id + 1000
				}
				return []routing.Task{task}, c.fail
			})
			if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
				t.Fatalf("StoreAndQueue: %v, want %v", err, c.want)
			}
			if n := e.count(`SELECT count(*) FROM interactions WHERE from_addr = $1`, from); (n == 1) != c.stored {
				t.Fatalf("%d interactions stored, want stored %v", n, c.stored)
			}
			if n := e.count(`SELECT count(*) FROM interaction_events WHERE interaction_id = $1 AND kind = 'queued'`, id); (n == 1) != c.routed {
				t.Errorf("%d queued records, want one %v", n, c.routed)
			}
			if err != nil {
				return
			}
			if len(qs) != 1 || qs[0].Task.InteractionID != id || qs[0].Routed() != c.routed {
				t.Fatalf("StoreAndQueue = %+v, want one task, routed %v", qs, c.routed)
			}
			if err := qs[0].Route(e.ctx); err != nil {
				t.Fatal(err)
			}
			if waiting := isWaiting(t, e, eng, id); waiting != c.routed {
				t.Errorf("waiting in routing after Route: %v, want %v", waiting, c.routed)
			}
		})
	}
}

func isWaiting(t *testing.T, e *env, eng *routing.Engine, id int64) bool {
	t.Helper()
	ws, err := eng.Waiting(e.ctx, "general")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if w.InteractionID == id {
			return true
		}
	}
	return false
}

// TestStoreAndQueueMany queues several interactions in one commit, in
// order, leaving out those routing refuses.
func TestStoreAndQueueMany(t *testing.T) {
	e := newEnv(t)
	eng := newRouting(t, e)
	var refused []int64
	qs, err := e.store.StoreAndQueue(e.ctx, eng, func(t routing.Task, err error) error {
		refused = append(refused, t.InteractionID)
		return nil
	}, func(tx pgx.Tx, now time.Time) ([]routing.Task, error) {
		var tasks []routing.Task
		for i, queue := range []string{"general", "nowhere", "general"} {
			in := switchboard.Interaction{Channel: switchboard.ChannelChat, Direction: switchboard.Inbound,
				State: switchboard.StateQueued, Queue: queue, From: "chat:" + string(rune('a'+i)), To: "web"}
			if err := interactions.Create(e.ctx, tx, now, &in, "", nil); err != nil {
				return nil, err
			}
			tasks = append(tasks, routing.Task{InteractionID: in.ID, Channel: in.Channel, Queue: queue, Tier: in.Tier})
		}
		return tasks, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 3 || !qs[0].Routed() || qs[1].Routed() || !qs[2].Routed() {
		t.Fatalf("StoreAndQueue = %+v, want the second refused", qs)
	}
	if len(refused) != 1 || refused[0] != qs[1].Task.InteractionID {
		t.Errorf("refused %v, want %d", refused, qs[1].Task.InteractionID)
	}
	if n := e.count(`SELECT count(*) FROM interaction_events WHERE kind = 'queued'`); n != 2 {
		t.Errorf("%d queued records, want 2", n)
	}
}
