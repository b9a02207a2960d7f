package main

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"switchboard/api"
	"switchboard/internal/clientip"
)

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the real writer (flush,
// deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs every request as one JSON line: server errors at error
// level, client errors at info, the rest at debug so a busy node's log stays
// readable. WebSocket upgrades pass untouched (they need the Hijacker).
// Each line names the client (behind the trusted proxies) and the agent
// the API authenticated, if any.
func accessLog(log *slog.Logger, proxies clientip.Resolver, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/ws") {
			next.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		ctx, note := api.WithAccessNote(r.Context())
		next.ServeHTTP(sw, r.WithContext(ctx))
		level := slog.LevelDebug
		switch {
		case sw.status >= 500:
			level = slog.LevelError
		case sw.status >= 400:
			level = slog.LevelInfo
		}
		log.LogAttrs(r.Context(), level, "http", slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("took", time.Since(start)),
			slog.String("client", proxies.Addr(r).String()), slog.Int64("agent", note.AgentID()))
	})
}
