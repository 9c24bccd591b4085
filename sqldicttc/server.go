package sqldicttc

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/go-sql-driver/mysql" // database/sql driver "mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/modules/mariadb"
	"github.com/testcontainers/testcontainers-go/modules/mysql"
	"github.com/testcontainers/testcontainers-go/modules/postgres"
	"github.com/testcontainers/testcontainers-go/wait"

	// The URLs this package returns are ready for sqldict.OpenURL: their
	// dialects register here.
	_ "github.com/sqldict/sqldict/dialects/mysql"
	_ "github.com/sqldict/sqldict/dialects/postgres"
)

// Labels on every container this package starts.
const (
	Label    = "org.sqldict.sqldicttc"     // "1"
	LabelPID = "org.sqldict.sqldicttc.pid" // process id of the test binary
)

// startTimeout bounds a server's start, image pull included.
const startTimeout = 5 * time.Minute

// engine describes how to run one kind of server and talk to it.
type engine struct {
	name         string // "postgres", "mariadb", "mysql"
	imageEnv     string // variable naming the image
	defaultImage string
	port         string // the server's port inside the container
	driver       string // database/sql driver of the admin connection
	// run starts a container from image whose superuser has password.
	run func(ctx context.Context, image, password string, opts ...testcontainers.ContainerCustomizer) (testcontainers.Container, error)
	// adminDSN is the driver's DSN of the superuser's default database;
	// dbURL the sqldict URL of database db.
	adminDSN, dbURL func(host, port, password, db string) string
	// create and drop are the statements for database db.
	create, drop func(db string) string
}

var postgresEngine = &engine{
	name: "postgres", imageEnv: "SQLDICT_TC_POSTGRES_IMAGE", defaultImage: DefaultPostgresImage,
	port: "5432/tcp", driver: "pgx",
	run: func(ctx context.Context, image, password string, opts ...testcontainers.ContainerCustomizer) (testcontainers.Container, error) {
		opts = append([]testcontainers.ContainerCustomizer{
			postgres.WithUsername("postgres"), postgres.WithPassword(password), postgres.WithDatabase("postgres"),
			// The official image's contract: "ready to accept connections"
			// twice (the initialisation server, then the real one).
			postgres.BasicWaitStrategies(),
			// A database that lives as long as a test binary needs no disk.
			testcontainers.WithTmpfs(map[string]string{"/var/lib/postgresql/data": "rw"}),
		}, opts...)
		return postgres.Run(ctx, image, opts...)
	},
	adminDSN: func(host, port, password, db string) string {
		return pgURL(host, port, password, "postgres")
	},
	dbURL:  pgURL,
	create: func(db string) string { return `CREATE DATABASE "` + db + `"` },
	drop:   func(db string) string { return `DROP DATABASE IF EXISTS "` + db + `" WITH (FORCE)` },
}

var mariaDBEngine = &engine{
	name: "mariadb", imageEnv: "SQLDICT_TC_MARIADB_IMAGE", defaultImage: DefaultMariaDBImage,
	port: "3306/tcp", driver: "mysql",
	run: func(ctx context.Context, image, password string, opts ...testcontainers.ContainerCustomizer) (testcontainers.Container, error) {
		// The module's own wait strategy: the official image's ready line.
		opts = append([]testcontainers.ContainerCustomizer{
			mariadb.WithUsername("root"), mariadb.WithPassword(password), mariadb.WithDatabase("sqldicttc"),
			testcontainers.WithTmpfs(map[string]string{"/var/lib/mysql": "rw"}),
		}, opts...)
		return mariadb.Run(ctx, image, opts...)
	},
	adminDSN: myDSN, dbURL: myURL, create: myCreate, drop: myDrop,
}

var mySQLEngine = &engine{
	name: "mysql", imageEnv: "SQLDICT_TC_MYSQL_IMAGE", defaultImage: DefaultMySQLImage,
	port: "3306/tcp", driver: "mysql",
	run: func(ctx context.Context, image, password string, opts ...testcontainers.ContainerCustomizer) (testcontainers.Container, error) {
		opts = append([]testcontainers.ContainerCustomizer{
			mysql.WithUsername("root"), mysql.WithPassword(password), mysql.WithDatabase("sqldicttc"),
			testcontainers.WithTmpfs(map[string]string{"/var/lib/mysql": "rw"}),
			// The module waits for "port: 3306  MySQL Community Server",
			// which a MariaDB image never logs. The port answering is
			// enough on both: their initialisation servers listen on no
			// TCP port, and server.start pings before it returns.
			testcontainers.WithWaitStrategy(wait.ForListeningPort("3306/tcp")),
		}, opts...)
		return mysql.Run(ctx, image, opts...)
	},
	adminDSN: myDSN, dbURL: myURL, create: myCreate, drop: myDrop,
}

func pgURL(host, port, password, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword("postgres", password),
		Host: net.JoinHostPort(host, port), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

func myURL(host, port, password, db string) string {
	u := url.URL{Scheme: "mysql", User: url.UserPassword("root", password),
		Host: net.JoinHostPort(host, port), Path: "/" + db}
	return u.String()
}

func myDSN(host, port, password, _ string) string {
	return fmt.Sprintf("root:%s@tcp(%s)/", password, net.JoinHostPort(host, port))
}

func myCreate(db string) string { return "CREATE DATABASE `" + db + "`" }
func myDrop(db string) string   { return "DROP DATABASE IF EXISTS `" + db + "`" }

// imageOf is the image the engine's servers run from unless WithImage
// names another.
func imageOf(e *engine) string {
	if img := os.Getenv(e.imageEnv); img != "" {
		return img
	}
	return e.defaultImage
}

// server is one container of an engine, started once.
type server struct {
	engine *engine
	image  string

	once      sync.Once
	err       error
	container testcontainers.Container
	host      string
	port      string
	password  string
	admin     *sql.DB
}

// start starts the container unless it runs, and waits until its server
// answers on the admin connection. A failed start is not retried: every
// test asking for the server sees the same error.
func (s *server) start() error { return s.startWith() }

// startWith is start with customizations of the container request.
func (s *server) startWith(opts ...testcontainers.ContainerCustomizer) error {
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		s.err = s.run(ctx, opts)
		if s.err != nil {
			s.err = fmt.Errorf("start %s from image %s: %w", s.engine.name, s.image, s.err)
			s.terminate()
		}
	})
	return s.err
}

func (s *server) run(ctx context.Context, opts []testcontainers.ContainerCustomizer) error {
	s.password = randomName("pw")
	opts = append(opts, testcontainers.WithLabels(map[string]string{
		Label: "1", LabelPID: strconv.Itoa(os.Getpid()),
	}))
	c, err := s.engine.run(ctx, s.image, s.password, opts...)
	if c != nil {
		s.container = c
	}
	if err != nil {
		return err
	}
	if s.host, err = c.Host(ctx); err != nil {
		return err
	}
	p, err := c.MappedPort(ctx, s.engine.port)
	if err != nil {
		return err
	}
	s.port = p.Port()
	if s.admin, err = sql.Open(s.engine.driver, s.engine.adminDSN(s.host, s.port, s.password, "")); err != nil {
		return err
	}
	// The port may take connections a moment before the server serves
	// them (a proxy in front of it on Docker Desktop).
	for {
		err = s.admin.PingContext(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server does not answer: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// terminate removes the container. Safe to call more than once.
func (s *server) terminate() {
	if s.admin != nil {
		s.admin.Close()
		s.admin = nil
	}
	if s.container != nil {
		_ = testcontainers.TerminateContainer(s.container)
		s.container = nil
	}
}

var databases atomic.Int64

// createDatabase creates a database named after the test and returns its
// URL.
func (s *server) createDatabase(testName string) (string, error) {
	name := fmt.Sprintf("t%d_%s", databases.Add(1), sanitize(testName))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, s.engine.create(name)); err != nil {
		return "", fmt.Errorf("create database %s on %s: %w", name, s.engine.name, err)
	}
	return s.engine.dbURL(s.host, s.port, s.password, name), nil
}

// dropDatabase drops the database of a URL createDatabase returned. A
// server already gone (terminated by a test's cleanup) has nothing to drop.
func (s *server) dropDatabase(rawURL string) error {
	if s.admin == nil {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, s.engine.drop(name)); err != nil {
		return fmt.Errorf("drop database %s on %s: %w", name, s.engine.name, err)
	}
	return nil
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9_]+`)

// sanitize turns a test name into the tail of a database name: lower case
// letters, digits and underscores, short enough for every engine's 63-byte
// identifiers.
func sanitize(testName string) string {
	s := unsafeChars.ReplaceAllString(strings.ToLower(testName), "_")
	if len(s) > 40 {
		s = s[:40]
	}
	return strings.Trim(s, "_")
}

// randomName returns prefix followed by 16 random hex digits.
func randomName(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}
