package agentdesk

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// listen calls note for each Postgres notification on channel until ctx
// ends. The listener is live when listen returns without error. Postgres
// may drop it (a restart, a network fault); listen then listens again and
// calls missed, since notifications sent meanwhile are lost.
func (d *Desk) listen(ctx context.Context, channel string, note func(ctx context.Context, payload string), missed func(ctx context.Context)) error {
	conn, err := d.listenConn(ctx, channel)
	if err != nil {
		return err
	}
	go func() {
		for ctx.Err() == nil {
			if conn == nil {
				if conn, err = d.listenConn(ctx, channel); err != nil {
					d.cfg.Log.Warn("agentdesk: listener", "channel", channel, "err", err)
					sleep(ctx, time.Second)
					continue
				}
				missed(ctx)
			}
			n, err := conn.WaitForNotification(ctx)
			if err != nil {
				conn.Close(context.Background())
				conn = nil
				continue
			}
			note(ctx, n.Payload)
		}
		if conn != nil {
			conn.Close(context.Background())
		}
	}()
	return nil
}

// listenConn opens a connection of its own for LISTEN, outside the pool:
// it is held for the life of the process and must not take a pooled
// connection away from the requests.
func (d *Desk) listenConn(ctx context.Context, channel string) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, d.deps.Pool.Config().ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("agentdesk: listen on %s: %w", channel, err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("agentdesk: listen on %s: %w", channel, err)
	}
	return conn, nil
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
