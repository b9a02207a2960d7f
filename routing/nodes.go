package routing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"switchboard"
)

// How engines find each other when Redis has lost the routing state. Every
// engine that runs (Run) keeps a row in routing_nodes, beating every
// nodeBeat. The engine that rebuilds Redis names the loss (a generation in
// Redis) and waits until every engine whose beat is fresh has answered it:
// an engine answers once it has seen the state missing, no decision of its
// is on its way back from Redis, and the records of all its decisions are
// in Postgres. No script decides anything while the sentinel is missing, so
// once all have answered, Postgres holds every decision made before the
// loss and the rebuild reads a state no later record will contradict.
const (
	nodeBeat  = 2 * time.Second
	nodeStale = 5 * nodeBeat // a node that has not beaten for this long has gone
	// ackPatience bounds the rebuild's wait for the others: a node that
	// cannot reach Postgres for longer would hold routing down for all.
	ackPatience = 30 * time.Second
)

func newNodeID() string {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // never fails (crypto/rand)
	return hex.EncodeToString(b)
}

// scope names the state the engine shares with its peers in routing_nodes.
func (e *Engine) scope() string { return e.keys.key("") }

// beat records that this engine is running, and forgets nodes long gone.
func (e *Engine) beat(ctx context.Context) error {
	_, err := e.pool.Exec(ctx, `WITH gone AS (DELETE FROM routing_nodes WHERE beat_at < now() - interval '1 hour')
		INSERT INTO routing_nodes (scope, node, beat_at) VALUES ($1, $2, now())
		ON CONFLICT (scope, node) DO UPDATE SET beat_at = now()`, e.scope(), e.node)
	if err != nil {
		return fmt.Errorf("routing: node beat: %w", err)
	}
	return nil
}

// leave removes this engine's row, so no rebuild waits for it.
func (e *Engine) leave(ctx context.Context) {
	if _, err := e.pool.Exec(ctx, `DELETE FROM routing_nodes WHERE scope = $1 AND node = $2`, e.scope(), e.node); err != nil {
		e.log.Debug("routing: leaving routing_nodes (its row goes stale)", "err", err)
	}
}

// peers lists the other engines whose beat is fresh.
func (e *Engine) peers(ctx context.Context) ([]string, error) {
	rows, err := e.pool.Query(ctx, `SELECT node FROM routing_nodes
		WHERE scope = $1 AND node <> $2 AND beat_at > now() - make_interval(secs => $3)`,
		e.scope(), e.node, nodeStale.Seconds())
	if err != nil {
		return nil, fmt.Errorf("routing: peers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("routing: peers: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// nameLoss starts a generation for the loss this engine is rebuilding
// from; peers answer it in the acks hash.
func (e *Engine) nameLoss(ctx context.Context) (string, error) {
	gen := newNodeID()
	_, err := e.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, e.keys.rebuildAcks())
		p.Set(ctx, e.keys.rebuildGen(), gen, 10*time.Minute)
		return nil
	})
	if err != nil {
		return "", scriptError(err)
	}
	return gen, nil
}

// awaitPeers waits until every live peer has answered gen, or ackPatience
// has passed.
func (e *Engine) awaitPeers(ctx context.Context, gen string) error {
	deadline := time.Now().Add(ackPatience)
	for {
		peers, err := e.peers(ctx)
		if err != nil {
			return err
		}
		missing := peers
		if len(peers) > 0 {
			got, err := e.rdb.HMGet(ctx, e.keys.rebuildAcks(), peers...).Result()
			if err != nil {
				return scriptError(err)
			}
			missing = missing[:0:0]
			for i, g := range got {
				if g != gen {
					missing = append(missing, peers[i])
				}
			}
		}
		if len(missing) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			e.log.Warn("routing: rebuilding without the records of peers that did not answer", "peers", missing)
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// answerLoss tells the rebuilding engine that this one's records of
// decisions made before the loss are all in Postgres, once they are. It
// answers each generation once.
func (e *Engine) answerLoss(ctx context.Context) error {
	gen, err := e.rdb.Get(ctx, e.keys.rebuildGen()).Result()
	if err != nil || gen == "" {
		return nil // no rebuild under way yet (or Redis away): the caller polls again
	}
	e.ackMu.Lock()
	defer e.ackMu.Unlock()
	if e.acked == gen {
		return nil
	}
	if err := e.quiet(ctx); err != nil {
		return err
	}
	if err := e.rdb.HSet(ctx, e.keys.rebuildAcks(), e.node, gen).Err(); err != nil {
		return scriptError(err)
	}
	e.rdb.Expire(ctx, e.keys.rebuildAcks(), 10*time.Minute)
	e.acked = gen
	return nil
}

// quiet returns once no decision of this engine is on its way back from
// Redis and every record of its decisions is written, or with an error
// after ackPatience.
func (e *Engine) quiet(ctx context.Context) error {
	if e.writes == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, ackPatience)
	defer cancel()
	for e.deciding.Load() > 0 {
		select {
		case <-ctx.Done():
			return switchboard.Errorf(switchboard.ErrUnavailable, "routing: decisions made before Redis lost its state are still being handled")
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := e.writes.drained(ctx); err != nil {
		return switchboard.Errorf(switchboard.ErrUnavailable, "routing: records of earlier decisions are still being written")
	}
	return nil
}
