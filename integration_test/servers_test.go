package integration_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/mariadb"
	"github.com/testcontainers/testcontainers-go/modules/postgres"

	"github.com/sqldict/sqldict/internal/benchsuite"
	"github.com/sqldict/sqldict/server/servetest"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// engine is one database server the suite runs against.
type engine struct {
	name     string // "mariadb" or "postgres"
	env      string // variable naming its URL
	local    string // URL of the local server used when env is unset
	dbDriver string // database/sql driver name for admin connections
	start    func(ctx context.Context) (url string, stop func(), err error)

	once  sync.Once
	url   string
	admin *sql.DB
	err   error
	stop  func()
}

var (
	mariaDB = &engine{
		name:     "mariadb",
		env:      "SQLDICT_TEST_MYSQL_DSN",
		local:    "mysql://root@127.0.0.1:3306/test",
		dbDriver: "mysql",
		start:    startMariaDB,
	}
	postgreSQL = &engine{
		name:     "postgres",
		env:      "SQLDICT_TEST_POSTGRES_DSN",
		local:    "postgres://postgres@127.0.0.1:5432/test?sslmode=disable",
		dbDriver: "pgx",
		start:    startPostgres,
	}
	engines = []*engine{mariaDB, postgreSQL}
)

func TestMain(m *testing.M) {
	if sqldicttest.ChildMain() {
		return // a writer or watcher process of the watch tests
	}
	if benchsuite.WorkerMain() {
		return // a writer process of BenchmarkProcesses
	}
	code := m.Run()
	servetest.Cleanup() // the sqldict binary the serve tests built
	for _, e := range engines {
		if e.stop != nil {
			e.stop()
		}
		if e.admin != nil {
			e.admin.Close()
		}
	}
	os.Exit(code)
}

// URL returns the engine's URL in sqldict.OpenURL form, or ends the test:
// a failure in CI, a loud skip elsewhere.
func (e *engine) URL(t testing.TB) string {
	t.Helper()
	e.once.Do(e.connect)
	if e.err != nil {
		msg := fmt.Sprintf("%s unreachable: %v (set %s=URL, or SQLDICT_TEST_CONTAINERS=1 with Docker)", e.name, e.err, e.env)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return e.url
}

// Admin returns a plain connection pool to the engine's database, for
// dropping tables and reading what the Dict wrote behind its back.
func (e *engine) Admin(t testing.TB) *sql.DB {
	t.Helper()
	e.URL(t)
	return e.admin
}

func (e *engine) connect() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e.url = os.Getenv(e.env)
	if e.url == "" && os.Getenv("SQLDICT_TEST_CONTAINERS") == "1" && dockerAnswers(ctx) {
		e.url, e.stop, e.err = e.start(ctx)
		if e.err != nil {
			return
		}
	}
	if e.url == "" {
		e.url = e.local
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	e.admin, e.err = sql.Open(e.dbDriver, adminDSN(e.url))
	if e.err == nil {
		e.err = e.admin.PingContext(pingCtx)
	}
}

// adminDSN turns an OpenURL URL into the DSN of its database/sql driver.
func adminDSN(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "mysql" {
		return rawURL
	}
	pw, _ := u.User.Password()
	q := u.Query()
	q.Set("multiStatements", "true")
	return fmt.Sprintf("%s:%s@tcp(%s)/%s?%s", u.User.Username(), pw, u.Host, strings.TrimPrefix(u.Path, "/"), q.Encode())
}

// dockerAnswers reports whether a Docker engine responds, within a few
// seconds even when the socket hangs.
func dockerAnswers(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ok := make(chan bool, 1)
	go func() {
		cli, err := testcontainers.NewDockerClientWithOpts(ctx)
		if err == nil {
			cli.Close()
		}
		ok <- err == nil
	}()
	select {
	case v := <-ok:
		return v
	case <-ctx.Done():
		return false
	}
}

// imageFrom returns the image the environment variable names (as for
// sqldicttc: sqldict-ci/… where no registry answers), else def.
func imageFrom(env, def string) string {
	if img := os.Getenv(env); img != "" {
		return img
	}
	return def
}

func startMariaDB(ctx context.Context) (string, func(), error) {
	c, err := mariadb.Run(ctx, imageFrom("SQLDICT_TC_MARIADB_IMAGE", "mariadb:10.11"),
		mariadb.WithDatabase("test"), mariadb.WithUsername("root"), mariadb.WithPassword("test"))
	if err != nil {
		return "", nil, fmt.Errorf("start mariadb container: %w", err)
	}
	stop := func() { _ = testcontainers.TerminateContainer(c) }
	host, err := c.Host(ctx)
	if err != nil {
		stop()
		return "", nil, err
	}
	port, err := c.MappedPort(ctx, "3306/tcp")
	if err != nil {
		stop()
		return "", nil, err
	}
	return fmt.Sprintf("mysql://root:test@%s/test", net.JoinHostPort(host, port.Port())), stop, nil
}

func startPostgres(ctx context.Context) (string, func(), error) {
	c, err := postgres.Run(ctx, imageFrom("SQLDICT_TC_POSTGRES_IMAGE", "postgres:16-alpine"),
		postgres.WithDatabase("test"), postgres.WithUsername("postgres"), postgres.WithPassword("test"),
		postgres.BasicWaitStrategies())
	if err != nil {
		return "", nil, fmt.Errorf("start postgres container: %w", err)
	}
	stop := func() { _ = testcontainers.TerminateContainer(c) }
	u, err := c.ConnectionString(ctx, "sslmode=disable")
	if err != nil {
		stop()
		return "", nil, err
	}
	return u, stop, nil
}

// Opener returns the conformance suite's opener for the engine: every Dict
// on its own pool, every table dropped when the test that created it ends.
func (e *engine) Opener(extra string) sqldicttest.Opener {
	return func(t *testing.T, opts sqldict.Options) *sqldict.Dict {
		t.Helper()
		return e.Open(t, extra, opts)
	}
}

var dropped sync.Map // table → registered for dropping

// Open opens a Dict on the engine, its URL extended by the query parameters
// in extra ("a=b&c=d").
func (e *engine) Open(t testing.TB, extra string, opts sqldict.Options) *sqldict.Dict {
	t.Helper()
	u := addParams(e.URL(t), extra)
	if opts.Table == "" {
		opts.Table = sqldicttest.UniqueTable()
	}
	if _, loaded := dropped.LoadOrStore(opts.Table, true); !loaded {
		// Registered before the Dict's Close, so it runs after it.
		t.Cleanup(func() { e.Drop(t, opts.Table) })
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := sqldict.OpenURL(ctx, u, opts)
	if err != nil {
		t.Fatalf("open %s on %s: %v", opts.Table, e.name, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// forEngine runs fn as a parallel subtest per engine.
func forEngine(t *testing.T, fn func(t *testing.T, e *engine)) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			e.URL(t)
			fn(t, e)
		})
	}
}

// addParams appends the query parameters extra ("a=b&c=d") to a URL.
func addParams(u, extra string) string {
	switch {
	case extra == "":
		return u
	case strings.Contains(u, "?"):
		return u + "&" + extra
	}
	return u + "?" + extra
}
