package server

import (
	"log/slog"
	"net/http"
	"time"
)

// recorder captures what a handler answered for the log and the metrics.
// Unwrap lets http.ResponseController reach the connection (flushes and
// deadlines of streams).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 {
		rw.status = code
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	n, err := rw.ResponseWriter.Write(p)
	rw.bytes += int64(n)
	return n, err
}

func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// instrument logs and counts every request h answers. The log line carries
// the method, the path, the route pattern, the status, the size and the
// duration; never a header, so never a token.
func (s *Server) instrument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &recorder{ResponseWriter: w}
		h.ServeHTTP(rw, r)
		if rw.status == 0 {
			rw.status = http.StatusOK
		}
		d := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.metrics.observeRequest(route, r.Method, rw.status, d.Seconds())
		level := slog.LevelInfo
		if r.Pattern == "GET /healthz" || r.Pattern == "GET /metrics" {
			level = slog.LevelDebug
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.EscapedPath()),
			slog.String("route", route),
			slog.Int("status", rw.status),
			slog.Int64("bytes", rw.bytes),
			slog.Duration("duration", d),
			slog.String("remote", r.RemoteAddr))
	})
}

func routeAttr(r *http.Request) slog.Attr { return slog.String("route", r.Pattern) }

func errAttr(err error) slog.Attr { return slog.String("error", err.Error()) }

func errorLevel(status int) slog.Level {
	if status == http.StatusServiceUnavailable {
		return slog.LevelWarn
	}
	return slog.LevelError
}
