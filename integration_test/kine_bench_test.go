package integration_test

// kine (github.com/k3s-io/kine, etcd on SQL) beside sqldict, issue 10's
// peer: its Update next to our Set, in the same run and the same database,
// 100-byte values, each writer goroutine on its own keys, at 1 and 16
// writers. kine is driven through its own backend (the driver's New: the
// logstructured/sqllog Backend a kine server serves etcd's API from), not
// through gRPC, so neither side pays for a network hop ours does not have.
//
//	go test -run '^$' -bench 'Kine/engine=postgres' -benchtime 2s -count 3 .

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/k3s-io/kine/pkg/drivers"
	"github.com/k3s-io/kine/pkg/drivers/generic"
	kinemysql "github.com/k3s-io/kine/pkg/drivers/mysql"
	kinepgsql "github.com/k3s-io/kine/pkg/drivers/pgsql"
	kinesqlite "github.com/k3s-io/kine/pkg/drivers/sqlite"
	"github.com/k3s-io/kine/pkg/server"
	"github.com/sirupsen/logrus"

	"github.com/sqldict/sqldict/internal/benchsuite"
)

// kineKeys is how many keys each writer cycles over.
const kineKeys = 100

var kineValue = []byte(fmt.Sprintf("%0100d", 0))

// kinePeer is kine on one engine, opened once per process.
type kinePeer struct {
	bench *benchsuite.Engine
	// dsn is kine's data source for the engine; new is its driver.
	dsn  func(b *testing.B) string
	new  func(ctx context.Context, wg *sync.WaitGroup, cfg *drivers.Config) (bool, server.Backend, error)
	drop func(b *testing.B) // removes kine's table before it opens

	once    sync.Once
	backend server.Backend
	err     error
}

var kinePeers = []*kinePeer{
	{
		bench: sqliteBench,
		// kine's default parameters, but synchronous=FULL as sqldict's
		// SQLite: equal durability on both sides.
		dsn: func(b *testing.B) string {
			return kineSQLiteFile() + "?_journal_mode=WAL&_busy_timeout=30000&_synchronous=FULL&_txlock=immediate&_stmt_cache_size=20&cache=shared"
		},
		new: kinesqlite.New,
		drop: func(b *testing.B) {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				os.Remove(kineSQLiteFile() + suffix)
			}
		},
	},
	{
		bench: benchEngines[0],
		dsn: func(b *testing.B) string {
			u, err := url.Parse(mariaDB.URL(b))
			if err != nil {
				b.Fatal(err)
			}
			return fmt.Sprintf("%s@tcp(%s)%s", u.User.String(), u.Host, u.Path)
		},
		new:  kinemysql.New,
		drop: func(b *testing.B) { kineDrop(b, mariaDB) },
	},
	{
		bench: benchEngines[1],
		dsn: func(b *testing.B) string {
			u, err := url.Parse(postgreSQL.URL(b))
			if err != nil {
				b.Fatal(err)
			}
			u.Scheme = ""
			return u.String()[2:] // kine adds "postgres://"
		},
		new:  kinepgsql.New,
		drop: func(b *testing.B) { kineDrop(b, postgreSQL) },
	},
}

func kineSQLiteFile() string {
	dir := os.Getenv("SQLDICT_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "sqldict-bench")
	}
	return filepath.Join(dir, fmt.Sprintf("kine_%d.db", os.Getpid()))
}

func kineDrop(b *testing.B, e *engine) {
	if _, err := e.Admin(b).Exec("DROP TABLE IF EXISTS kine"); err != nil {
		b.Fatal(err)
	}
}

// open starts kine's backend on a fresh kine table, with kine's default
// background work (polling every second, compaction every 5 minutes) and
// 16 idle connections kept, as many as the most writers here: its default
// of 2 would make it reconnect at 16 writers and measure that instead.
func (k *kinePeer) open(b *testing.B) server.Backend {
	k.once.Do(func() {
		logrus.SetLevel(logrus.WarnLevel)
		k.drop(b)
		if err := os.MkdirAll(filepath.Dir(kineSQLiteFile()), 0o755); err != nil {
			k.err = err
			return
		}
		ctx := context.Background() // kine runs until the process ends
		cfg := &drivers.Config{
			DataSourceName:       k.dsn(b),
			ConnectionPoolConfig: generic.ConnectionPoolConfig{MaxIdle: 16},
			CompactInterval:      5 * time.Minute,
			CompactTimeout:       5 * time.Second,
			CompactMinRetain:     1000,
			CompactBatchSize:     1000,
			PollInterval:         time.Second,
			PollBatchSize:        500,
		}
		_, k.backend, k.err = k.new(ctx, &sync.WaitGroup{}, cfg)
		if k.err == nil {
			k.err = k.backend.Start(ctx)
		}
	})
	if k.err != nil {
		b.Fatalf("kine on %s: %v", k.bench.Name, k.err)
	}
	return k.backend
}

var kineRound atomic.Int64

// BenchmarkKine: writes/s of sqldict Set and of kine Update, each writer
// cycling over its own kineKeys keys, written once before the clock starts
// (kine Creates them, sqldict Sets them), so both sides measure overwrites.
func BenchmarkKine(b *testing.B) {
	ctx := context.Background()
	for _, k := range kinePeers {
		b.Run("engine="+k.bench.Name, func(b *testing.B) {
			for _, writers := range []int{1, 16} {
				b.Run(fmt.Sprintf("writers=%d/impl=sqldict", writers), func(b *testing.B) {
					d := k.bench.FreshDict(b)
					key := func(w, i int) string { return benchsuite.Key(w*kineKeys + i%kineKeys) }
					for w := range writers {
						for i := range kineKeys {
							if err := d.Set(ctx, key(w, i), kineValue); err != nil {
								b.Fatal(err)
							}
						}
					}
					benchsuite.Parallel(b, writers, 1, func(w, i int) error { return d.Set(ctx, key(w, i), kineValue) })
				})
				b.Run(fmt.Sprintf("writers=%d/impl=kine", writers), func(b *testing.B) {
					kv := k.open(b)
					round := kineRound.Add(1)
					key := func(w, i int) string { return fmt.Sprintf("/bench/%d/%d/%d", round, w, i%kineKeys) }
					revs := make([][]int64, writers) // writer w's keys' revisions, its own
					for w := range revs {
						revs[w] = make([]int64, kineKeys)
						for i := range revs[w] {
							rev, err := kv.Create(ctx, key(w, i), kineValue, 0)
							if err != nil {
								b.Fatal(err)
							}
							revs[w][i] = rev
						}
					}
					benchsuite.Parallel(b, writers, 1, func(w, i int) error {
						rev, _, ok, err := kv.Update(ctx, key(w, i), kineValue, revs[w][i%kineKeys], 0)
						if err != nil {
							return err
						}
						if !ok {
							return fmt.Errorf("kine update of %s at revision %d refused", key(w, i), revs[w][i%kineKeys])
						}
						revs[w][i%kineKeys] = rev
						return nil
					})
				})
			}
		})
	}
}
