package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// Defaults of Config.
const (
	DefaultHeartbeat         = 15 * time.Second
	DefaultMaxCommitBytes    = 64 << 20
	DefaultListLimit         = 1000
	MaxListLimit             = 100000
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultShutdownTimeout   = 10 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
)

// Config configures a Server. The zero value of every field but Tables
// works: each field's doc says what zero means.
type Config struct {
	// Tables are the journals served, by table name. Required.
	Tables map[string]*sqldict.Dict

	// Tokens, when set, requires a bearer token on every route but
	// /healthz and /metrics. Nil: every request is allowed (listen on
	// loopback only).
	Tokens *Tokens

	// Logger receives one line per request and the server's events. Nil:
	// slog.Default().
	Logger *slog.Logger

	// Heartbeat is how often an idle watch stream gets a comment line, so
	// that proxies and clients see it alive. Zero: DefaultHeartbeat.
	Heartbeat time.Duration

	// MaxCommitBytes bounds the body of a commit request. Zero:
	// DefaultMaxCommitBytes.
	MaxCommitBytes int64

	// Timeouts of the http.Server Serve runs; watch streams lift the read
	// and write timeouts for their connection. Zero: the Default*
	// constants.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration

	// MaxHeaderBytes bounds the request headers. Zero:
	// DefaultMaxHeaderBytes.
	MaxHeaderBytes int

	// ShutdownTimeout bounds how long Serve waits for running requests
	// after its context ends. Zero: DefaultShutdownTimeout.
	ShutdownTimeout time.Duration

	// MaxInflightBytes caps the bytes the request bodies being read and
	// decoded may hold across all requests (each charged twice its
	// length); a request beyond it is refused with 503 unavailable and
	// Retry-After. Zero: DefaultMaxInflightBytes.
	MaxInflightBytes int64

	// AllowHosts are Host names (a name matches any port; "name:port"
	// that port only) accepted besides the address a connection reached:
	// DNS names and reverse proxies' public names. Every other Host is 403
	// forbidden, so that a name an attacker points at the server (DNS
	// rebinding) reaches nothing. Nil: IP addresses only, and localhost on
	// a loopback connection.
	AllowHosts []string
}

// Server is the HTTP API over a set of journals. It is an http.Handler;
// Serve runs it with timeouts and graceful shutdown. Safe for concurrent
// use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *metrics
	// inflight caps the bytes of request bodies in flight.
	inflight *inflight

	// tokens is Config.Tokens, swapped by SetTokens.
	tokens atomic.Pointer[Tokens]
	// ifaceIPs are the machine's addresses when Serve's listener is a
	// wildcard bind.
	ifaceIPs atomic.Pointer[[]net.IP]

	// closing is closed when shutdown begins: watch streams end.
	closing   chan struct{}
	closeOnce sync.Once
}

// New returns a Server for cfg with every route of docs/http.md registered.
func New(cfg Config) (*Server, error) {
	if len(cfg.Tables) == 0 {
		return nil, fmt.Errorf("%w: no tables to serve", sqldict.ErrInvalidArgument)
	}
	for name, d := range cfg.Tables {
		if d == nil || d.Table() != name {
			return nil, fmt.Errorf("%w: table %q: the Dict is nil or serves another table", sqldict.ErrInvalidArgument, name)
		}
	}
	setDefault(&cfg.Heartbeat, DefaultHeartbeat)
	setDefault(&cfg.MaxCommitBytes, DefaultMaxCommitBytes)
	setDefault(&cfg.ReadHeaderTimeout, DefaultReadHeaderTimeout)
	setDefault(&cfg.ReadTimeout, DefaultReadTimeout)
	setDefault(&cfg.WriteTimeout, DefaultWriteTimeout)
	setDefault(&cfg.IdleTimeout, DefaultIdleTimeout)
	setDefault(&cfg.MaxHeaderBytes, DefaultMaxHeaderBytes)
	setDefault(&cfg.ShutdownTimeout, DefaultShutdownTimeout)
	setDefault(&cfg.MaxInflightBytes, DefaultMaxInflightBytes)
	s := &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		mux:     http.NewServeMux(),
		metrics: newMetrics(cfg.Tables),
		closing: make(chan struct{}),

		inflight: &inflight{max: cfg.MaxInflightBytes},
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.tokens.Store(cfg.Tokens)
	s.routes()
	return s, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// routes registers the routes of docs/http.md.
func (s *Server) routes() {
	s.HandleFunc("GET "+api.PathHealth, ScopeNone, s.healthz)
	s.HandleFunc("GET "+api.PathMetrics, ScopeRead, s.serveMetrics)
	for _, rt := range []struct {
		pattern string
		scope   Scope
		h       HandlerFunc
	}{
		{api.KeyPattern("GET", api.RouteKeys), ScopeRead, s.getKey},
		{api.KeyPattern("HEAD", api.RouteKeys), ScopeRead, s.getKey},
		{api.KeyPattern("PUT", api.RouteKeys), ScopeWrite, s.putKey},
		{api.KeyPattern("DELETE", api.RouteKeys), ScopeWrite, s.deleteKey},
		{api.Pattern("GET", api.RouteKeys), ScopeRead, s.listKeys},
		{api.Pattern("GET", api.RouteEntries), ScopeRead, s.listEntries},
		{api.KeyPattern("GET", api.RouteHistory), ScopeRead, s.history},
		{api.Pattern("POST", api.RouteCommit), ScopeWrite, s.commit},
		{api.Pattern("GET", api.RouteLog), ScopeRead, s.journalLog},
		{api.Pattern("GET", api.RouteDiff), ScopeRead, s.diff},
		{api.Pattern("GET", api.RouteWatch), ScopeRead, s.watch},
		{api.Pattern("GET", api.RouteStat), ScopeRead, s.stat},
		{api.Pattern("POST", api.RoutePrune), ScopeAdmin, s.prune},
	} {
		s.HandleFunc(rt.pattern, rt.scope, rt.h)
	}
	s.uiRoutes()
}

// HandlerFunc is a route's handler: it gets the journal the path's {table}
// names (nil for patterns without one) and returns an error to be answered
// as docs/http.md's JSON error, or nil once it has answered.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error

// HandleFunc registers h for pattern (a ServeMux pattern) behind the
// server's middleware: the token must grant scope (and the {table}, when
// the pattern has one), requests are logged and counted. A {table} the
// server does not serve is 404 not_found before h runs.
func (s *Server) HandleFunc(pattern string, scope Scope, h HandlerFunc) {
	s.mux.Handle(pattern, s.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		table := r.PathValue("table")
		if err := s.authorize(r, scope, table); err != nil {
			s.writeError(w, r, err)
			return
		}
		var d *sqldict.Dict
		if table != "" {
			if err := sqldict.ValidTable(table); err != nil {
				s.writeError(w, r, err)
				return
			}
			if d = s.cfg.Tables[table]; d == nil {
				s.writeError(w, r, &tableError{table})
				return
			}
		}
		release, ok := s.admit(w, r, d)
		if !ok {
			return
		}
		defer release()
		if err := h(w, r, d); err != nil {
			s.writeError(w, r, err)
		}
	})))
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := s.guard(r)
	if err == nil {
		err = checkPath(r)
	}
	if err != nil {
		s.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, err)
		})).ServeHTTP(w, r)
		return
	}
	if _, pattern := s.mux.Handler(r); pattern == "" {
		// No route: the mux would answer a plain-text 404 or 405.
		s.instrument(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.mux.ServeHTTP(&muxErrorWriter{ResponseWriter: w, s: s, r: r}, r)
		})).ServeHTTP(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Close ends the open watch streams; Serve calls it when shutting down.
// The Server keeps answering other requests.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
}

// Serve answers requests on ln until ctx ends, then shuts down gracefully:
// it stops accepting, ends the watch streams, lets running requests finish
// within Config.ShutdownTimeout (closing the connections still busy after
// it) and returns nil. certFile and keyFile, when set, serve TLS. An error
// is returned only when serving fails before ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(s.Close)
	s.bindListener(ln.Addr())
	errc := make(chan error, 1)
	go func() {
		if certFile != "" || keyFile != "" {
			errc <- srv.ServeTLS(ln, certFile, keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", slog.Duration("timeout", s.cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("requests still running after the shutdown timeout; closing their connections")
		err = srv.Close()
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// checkPath refuses raw dot segments and empty segments in the path: the
// mux would clean them by redirecting, which for a key route names another
// key. Percent-encoded dots and slashes are part of the key and pass.
func checkPath(r *http.Request) error {
	p := r.URL.EscapedPath()
	if !strings.HasPrefix(p, "/v1/") {
		return nil
	}
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		if seg == "." || seg == ".." || (seg == "" && i < len(segs)-1) {
			return &apiError{http.StatusBadRequest, api.CodeInvalidKey,
				"the path has a '.', '..' or empty segment: percent-encode such keys (%2E, %2F)"}
		}
	}
	return nil
}
