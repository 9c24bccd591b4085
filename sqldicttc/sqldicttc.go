package sqldicttc

import (
	"sync"
	"sync/atomic"
	"testing"
)

// The images used when neither WithImage nor the engine's environment
// variable names one.
const (
	DefaultPostgresImage = "postgres:17"
	DefaultMariaDBImage  = "mariadb:11.4"
	DefaultMySQLImage    = "mysql:8.4"
)

// Option changes how a server is started.
type Option func(*config)

type config struct {
	image string
}

// WithImage runs the server from image instead of the default or the one
// the environment names. Servers are shared per engine and image: tests
// naming different images get different containers.
func WithImage(image string) Option {
	return func(c *config) { c.image = image }
}

// Postgres returns the URL (postgres://…?sslmode=disable) of a new, empty
// database on a PostgreSQL server in a container, owned by a superuser.
// The database is dropped when t ends. It skips t when no Docker engine
// answers (fails it with CI=true) and fails t when the server cannot be
// started.
func Postgres(t testing.TB, opts ...Option) string {
	t.Helper()
	return database(t, postgresEngine, opts)
}

// MariaDB returns the URL (mysql://root:…@host:port/name) of a new, empty
// database on a MariaDB server in a container, for its root user. The
// database is dropped when t ends. Skips and failures as for Postgres.
func MariaDB(t testing.TB, opts ...Option) string {
	t.Helper()
	return database(t, mariaDBEngine, opts)
}

// MySQL returns the URL (mysql://root:…@host:port/name) of a new, empty
// database on a MySQL server in a container, for its root user. The
// database is dropped when t ends. Skips and failures as for Postgres.
// The image may also be a MariaDB one (the readiness check is the server
// answering, not a log line particular to MySQL).
func MySQL(t testing.TB, opts ...Option) string {
	t.Helper()
	return database(t, mySQLEngine, opts)
}

// shared is set by Run: servers then live until m.Run returns.
var shared atomic.Bool

var (
	serversMu sync.Mutex
	servers   = map[string]*server{} // engine name + " " + image → server
)

// Run runs the tests with one server per engine and image shared by the
// whole binary, and removes the containers when they are done. Call it
// from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(sqldicttc.Run(m)) }
func Run(m *testing.M) int {
	shared.Store(true)
	defer shared.Store(false)
	defer func() {
		serversMu.Lock()
		defer serversMu.Unlock()
		for k, s := range servers {
			s.terminate()
			delete(servers, k)
		}
	}()
	return m.Run()
}

// database creates a database on e's server for t.
func database(t testing.TB, e *engine, opts []Option) string {
	t.Helper()
	c := config{image: imageOf(e)}
	for _, o := range opts {
		o(&c)
	}
	requireDocker(t)
	var s *server
	if shared.Load() {
		serversMu.Lock()
		key := e.name + " " + c.image
		s = servers[key]
		if s == nil {
			s = &server{engine: e, image: c.image}
			servers[key] = s
		}
		serversMu.Unlock()
	} else {
		s = &server{engine: e, image: c.image}
		t.Cleanup(s.terminate)
	}
	if err := s.start(); err != nil {
		t.Fatalf("sqldicttc: %v", err)
	}
	url, err := s.createDatabase(t.Name())
	if err != nil {
		t.Fatalf("sqldicttc: %v", err)
	}
	t.Cleanup(func() {
		if err := s.dropDatabase(url); err != nil {
			t.Errorf("sqldicttc: %v", err)
		}
	})
	return url
}
