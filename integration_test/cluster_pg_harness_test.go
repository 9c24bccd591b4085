package integration_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

const pgBin = "/usr/lib/postgresql/15/bin"

// pgPair is a PostgreSQL primary with one streaming replica (hot standby),
// both run by the harness as the postgres system user.
type pgPair struct {
	t                *testing.T
	dir              string
	primary, replica *node
	// admin pools on database test, reopened after a failover.
	padmin, radmin *sql.DB
}

// startPGPair initialises a primary on port base and a replica cloned from
// it with pg_basebackup on base+1. sync makes replication synchronous with
// remote_apply: a commit returns once the replica has applied it.
func startPGPair(t *testing.T, base int, sync bool) *pgPair {
	t.Helper()
	needCluster(t)
	for _, b := range []string{"initdb", "postgres", "pg_basebackup", "pg_ctl"} {
		if _, err := os.Stat(filepath.Join(pgBin, b)); err != nil {
			clusterUnavailable(t, "pg: %s missing (postgresql-15): %v", b, err)
		}
	}
	p := &pgPair{t: t, dir: clusterDir(t, "pg")}
	if err := chownTree(p.dir, "postgres"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p.primary = &node{name: "pg/primary", dir: filepath.Join(p.dir, "primary"), port: base}
	p.replica = &node{name: "pg/replica", dir: filepath.Join(p.dir, "replica"), port: base + 1}
	for _, n := range []*node{p.primary, p.replica} {
		n.log = filepath.Join(p.dir, filepath.Base(n.dir)+".log")
	}
	t.Cleanup(p.stop)
	cmd, err := asUser(exec.CommandContext(ctx, filepath.Join(pgBin, "initdb"), "-D", p.primary.dir, "-U", "postgres", "--auth=trust", "--no-sync"), "postgres")
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, cmd); err != nil {
		clusterUnavailable(t, "pg/primary: %v", err)
	}
	conf := "listen_addresses = '127.0.0.1'\nwal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n" +
		"fsync = off\nshared_buffers = 32MB\nmax_connections = 100\nwal_keep_size = 256MB\n" +
		"unix_socket_directories = '" + p.dir + "'\n"
	if err := appendFile(filepath.Join(p.primary.dir, "postgresql.conf"), conf); err != nil {
		t.Fatal(err)
	}
	if err := p.startNode(ctx, p.primary); err != nil {
		clusterUnavailable(t, "%v\n%s", err, p.primary.tail())
	}
	if _, err := p.padmin.ExecContext(ctx, "CREATE DATABASE test"); err != nil {
		t.Fatalf("pg/primary: %v", err)
	}
	p.padmin.Close()
	p.padmin = nil
	p.padmin, err = sql.Open("pgx", p.dsn(p.primary, "test"))
	if err != nil {
		t.Fatal(err)
	}
	cmd, err = asUser(exec.CommandContext(ctx, filepath.Join(pgBin, "pg_basebackup"), "-h", "127.0.0.1", "-p", fmt.Sprint(p.primary.port),
		"-U", "postgres", "-D", p.replica.dir, "-R", "-X", "stream", "-c", "fast", "--no-sync"), "postgres")
	if err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, cmd); err != nil {
		clusterUnavailable(t, "pg/replica: %v", err)
	}
	if err := p.startNode(ctx, p.replica); err != nil {
		clusterUnavailable(t, "%v\n%s", err, p.replica.tail())
	}
	p.radmin, err = sql.Open("pgx", p.dsn(p.replica, "test"))
	if err != nil {
		t.Fatal(err)
	}
	// The replica streams: the primary lists it as a WAL receiver.
	if err := waitFor(ctx, "pg/replica: streaming", func(ctx context.Context) error {
		s, err := queryString(ctx, p.padmin, "SELECT state FROM pg_stat_replication")
		if err == nil && s != "streaming" {
			err = fmt.Errorf("replication state %q", s)
		}
		return err
	}); err != nil {
		clusterUnavailable(t, "%v\n%s", err, p.replica.tail())
	}
	mode := "asynchronous"
	if sync {
		// Only now: with no standby connected, a synchronous commit
		// (CREATE DATABASE above included) would wait forever.
		for _, q := range []string{"ALTER SYSTEM SET synchronous_standby_names = '*'", "ALTER SYSTEM SET synchronous_commit = 'remote_apply'", "SELECT pg_reload_conf()"} {
			if _, err := p.padmin.ExecContext(ctx, q); err != nil {
				t.Fatalf("pg/primary: %s: %v", q, err)
			}
		}
		if err := waitFor(ctx, "pg/replica: sync", func(ctx context.Context) error {
			s, err := queryString(ctx, p.padmin, "SELECT sync_state FROM pg_stat_replication")
			if err == nil && s != "sync" {
				err = fmt.Errorf("sync_state %q", s)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		mode = "synchronous (remote_apply)"
	}
	t.Logf("pg/primary: up on 127.0.0.1:%d; pg/replica: up on 127.0.0.1:%d, streaming, %s", p.primary.port, p.replica.port, mode)
	return p
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// startNode runs postgres on n's datadir and waits until it accepts
// connections.
func (p *pgPair) startNode(ctx context.Context, n *node) error {
	cmd, err := asUser(exec.Command(filepath.Join(pgBin, "postgres"), "-D", n.dir, "-p", fmt.Sprint(n.port), "-c", "logging_collector=off"), "postgres")
	if err != nil {
		return err
	}
	if err := n.start(cmd); err != nil {
		return err
	}
	db, err := sql.Open("pgx", p.dsn(n, "postgres"))
	if err != nil {
		return err
	}
	if n == p.primary && p.padmin == nil {
		p.padmin = db
	} else {
		defer db.Close()
	}
	return waitFor(ctx, n.name+": up", func(ctx context.Context) error {
		if !n.running() {
			return fmt.Errorf("%s exited", n.name)
		}
		return db.PingContext(ctx)
	})
}

func (p *pgPair) dsn(n *node, db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", n.port, db)
}

// URL is n's sqldict.OpenURL URL for database test.
func (p *pgPair) URL(n *node) string { return p.dsn(n, "test") }

// promote makes the replica the primary (pg_promote waits until it is).
func (p *pgPair) promote(ctx context.Context) error {
	var ok bool
	if err := p.radmin.QueryRowContext(ctx, "SELECT pg_promote(true, 60)").Scan(&ok); err != nil {
		return fmt.Errorf("pg/replica: promote: %w", err)
	}
	if !ok {
		return fmt.Errorf("pg/replica: promote did not finish")
	}
	return nil
}

// stop kills both servers.
func (p *pgPair) stop() {
	for _, db := range []*sql.DB{p.padmin, p.radmin} {
		if db != nil {
			db.Close()
		}
	}
	for _, n := range []*node{p.primary, p.replica} {
		if n != nil {
			n.kill()
		}
	}
	if p.t.Failed() {
		for _, n := range []*node{p.primary, p.replica} {
			if n != nil {
				p.t.Logf("%s logs:\n%s", n.name, n.tail())
			}
		}
	}
}
