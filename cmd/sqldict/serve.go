package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
)

// listFlag collects a repeatable flag's values.
type listFlag []string

func (f *listFlag) String() string { return strings.Join(*f, ",") }

func (f *listFlag) Set(s string) error {
	if s == "" || strings.ContainsAny(s, "/ ") {
		return fmt.Errorf("%q: want a host name, or NAME:PORT", s)
	}
	*f = append(*f, s)
	return nil
}

// tablesFlag collects repeated --table flags; the first one given replaces
// the default.
type tablesFlag struct {
	names []string
	given bool
}

func (f *tablesFlag) String() string { return strings.Join(f.names, ",") }

func (f *tablesFlag) Set(s string) error {
	if !f.given {
		f.names, f.given = nil, true
	}
	if err := sqldict.ValidTable(s); err != nil {
		return err
	}
	f.names = append(f.names, s)
	return nil
}

var cmdServe = &command{
	name:    "serve",
	args:    "[--listen ADDR] [--table T]... [--tokens FILE] [--allow-host NAME]... [--tls-cert FILE --tls-key FILE]",
	summary: "serve journals over HTTP (the API of docs/http.md)",
	help: `
Serves the journals named by --table (repeatable; default: the global table)
until SIGTERM or SIGINT, then stops taking requests, lets running ones finish
(bounded by --shutdown-timeout), closes watch streams and exits 0. It is
ready when GET /healthz answers 200. Without --tokens it listens on loopback
addresses only. The tokens file has one token a line: TOKEN SCOPE [TABLE...],
scope read, write or admin; SIGHUP reloads it (a file that fails to load
keeps the old tokens, and the log says why). Request logs go to stderr;
tokens never do.

Requests must name the server in their Host header: the address they
connected to (localhost too on loopback), or a name given by --allow-host
(repeatable; NAME or NAME:PORT), e.g. the DNS name clients use or a reverse
proxy's public name. Writes from another web origin (Origin,
Sec-Fetch-Site) are refused with 403, and JSON bodies must be sent as
Content-Type: application/json.

Examples:
  sqldict serve --db sqlite:state.db --listen 127.0.0.1:8080
  sqldict serve --db postgres://me@db/prod --table configs --table flags \
      --listen :8443 --tokens tokens.txt --tls-cert cert.pem --tls-key key.pem`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		tables := &tablesFlag{names: []string{a.table}}
		fs.Lookup("table").Value = tables
		listen := fs.String("listen", "127.0.0.1:8080", "listen on `ADDR` (host:port; port 0 picks one)")
		tokens := fs.String("tokens", "", "require bearer tokens listed in `FILE` (SIGHUP reloads it)")
		var allowHosts listFlag
		fs.Var(&allowHosts, "allow-host", "accept Host `NAME` (or NAME:PORT) besides the listening address (repeatable)")
		cert := fs.String("tls-cert", "", "serve TLS with the certificate in `FILE` (PEM)")
		key := fs.String("tls-key", "", "the TLS private key in `FILE` (PEM)")
		readOnly := fs.Bool("read-only", false, "refuse every write with 403 read_only")
		shutdown := fs.Duration("shutdown-timeout", server.DefaultShutdownTimeout, "how long running requests may finish after a signal")
		readTimeout := fs.Duration("read-timeout", server.DefaultReadTimeout, "cut off a client that has not sent its request within `D`")
		writeTimeout := fs.Duration("write-timeout", server.DefaultWriteTimeout, "cut off a response not written within `D` (watch streams excepted)")
		idleTimeout := fs.Duration("idle-timeout", server.DefaultIdleTimeout, "close keep-alive connections idle for `D`")
		idleConns := fs.Int("idle-conns", 0, "idle database connections each journal's pool keeps (concurrent requests beyond it open and close connections); 0: 16 for SQLite (each keeps its page cache), 128 for MariaDB and PostgreSQL")
		inflightBytes := fs.Int64("max-inflight-bytes", server.DefaultMaxInflightBytes, "cap the bytes of request bodies being read at once (each counted twice); beyond it, 503 with Retry-After")
		heartbeat := fs.Duration("heartbeat", server.DefaultHeartbeat, "comment line on idle watch streams every `D`")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		if err := a.local(); err != nil {
			return err
		}
		if *inflightBytes <= 0 {
			return usagef("--max-inflight-bytes %d: want a positive number of bytes", *inflightBytes)
		}
		if *idleConns < 0 {
			return usagef("--idle-conns %d: want 0 or more", *idleConns)
		}
		if (*cert == "") != (*key == "") {
			return usagef("give both --tls-cert and --tls-key, or neither")
		}
		for _, d := range []time.Duration{*shutdown, *readTimeout, *writeTimeout, *idleTimeout, *heartbeat} {
			if d <= 0 {
				return usagef("durations must be positive")
			}
		}
		cfg := server.Config{
			Tables: map[string]*sqldict.Dict{}, Heartbeat: *heartbeat, ShutdownTimeout: *shutdown,
			ReadHeaderTimeout: min(*readTimeout, server.DefaultReadHeaderTimeout),
			ReadTimeout:       *readTimeout, WriteTimeout: *writeTimeout, IdleTimeout: *idleTimeout,
			Logger:           slog.New(slog.NewTextHandler(a.stderr, nil)),
			MaxInflightBytes: *inflightBytes,
			AllowHosts:       allowHosts,
		}
		if *tokens != "" {
			t, err := server.LoadTokens(*tokens)
			if err != nil {
				return err
			}
			cfg.Tokens = t
		}
		// Bound before the journals are opened (and perhaps created), so a
		// refused address leaves nothing behind.
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			return err
		}
		defer ln.Close()
		if cfg.Tokens == nil {
			if err := loopbackOnly(*listen, ln.Addr()); err != nil {
				return err
			}
		}
		for _, name := range tables.names {
			if cfg.Tables[name] != nil {
				continue
			}
			d, err := sqldict.OpenURL(a.ctx, a.db, sqldict.Options{
				Table: name, ReadOnly: *readOnly, SkipMigrate: a.noMigrate, Logger: cfg.Logger,
			})
			if err != nil {
				return fmt.Errorf("table %s: %w", name, err)
			}
			defer d.Close()
			d.DB().SetMaxIdleConns(idlePool(a.db, *idleConns))
			cfg.Tables[name] = d
		}
		srv, err := server.New(cfg)
		if err != nil {
			return err
		}
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go reloadTokens(a.ctx, hup, srv, *tokens, cfg.Logger)
		scheme := "http"
		if *cert != "" {
			scheme = "https"
		}
		fmt.Fprintf(a.stdout, "sqldict serve: listening on %s://%s\n", scheme, ln.Addr())
		return srv.Serve(a.ctx, ln, *cert, *key)
	},
}

// loopbackOnly refuses a bound address reachable from other hosts. It
// checks the address the listener got, not the name asked for: "localhost"
// may resolve to anything.
func loopbackOnly(listen string, bound net.Addr) error {
	if ta, ok := bound.(*net.TCPAddr); ok && ta.IP.IsLoopback() {
		return nil
	}
	return usagef("--listen %q (bound to %s): without --tokens sqldict serve listens on loopback addresses only (127.0.0.1, ::1, localhost)", listen, bound)
}

// reloadTokens reloads the tokens file (path, "" for none) on every
// signal of hup until ctx ends. A file that fails to load keeps the tokens
// in use.
func reloadTokens(ctx context.Context, hup <-chan os.Signal, srv *server.Server, path string, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		if path == "" {
			log.Info("SIGHUP: nothing to reload (no --tokens)")
			continue
		}
		t, err := server.LoadTokens(path)
		if err == nil {
			err = srv.SetTokens(t)
		}
		if err != nil {
			log.Error("reload tokens failed; the old tokens stay in use", "error", err)
			continue
		}
		log.Info("tokens reloaded", "file", path)
	}
}

// idlePool is --idle-conns, or its default for the database URL: a SQLite
// connection costs no dial but keeps its page cache (sqlite.CacheKiB)
// while idle, so fewer of them idle.
func idlePool(dbURL string, flag int) int {
	switch {
	case flag > 0:
		return flag
	case strings.HasPrefix(strings.ToLower(dbURL), "sqlite"):
		return sqldict.DefaultMaxIdleConns
	}
	return 128
}
