package snapshot_test

// Benchmarks of views against the same reads at the head, in the same run,
// and of Diff at growing journal sizes:
//
//	go test -run '^$' -bench . -benchmem -count 3 ./snapshot/
//
// Fixtures are SQLite files built once per process (big Commit batches, then
// ANALYZE) and shared by the sub-benchmarks; building the 1M-row one takes
// about a minute. SQLDICT_BENCH_DIR=dir keeps them in dir and reuses them in
// later runs.
//
// Head Keys reads the head table (one row per key, a sequential scan); a
// view's Keys cannot, and runs the dialect's KeysAt skip scan: two B-tree
// seeks per distinct label of the journal. Expect view Keys several times
// the head's, growing with log(rows); Get is one seek either way.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
)

const benchKeys = 10_000

func benchKey(i int) string { return fmt.Sprintf("bench/%06d", i) }

// A fixture of depth D holds benchKeys keys. Depth 1 writes each key once, in
// 100 commits of 100 keys spread over the key space (commit c writes the keys
// i with i%100 == c), so a point after c commits holds c% of the keys. Depth
// D > 1 writes every key D times, one 10 000-write commit per round. Both end
// with tailCommits single-write commits of keys spread over the key space:
// the changes the Diff benchmarks look for.
const tailCommits = 10

type fixture struct {
	path   string
	rounds []int64 // sequence at the end of each commit of the build
	head   int64
	saved  struct {
		Rounds []int64
		Head   int64
	}
}

var (
	fixtureMu sync.Mutex
	fixtures  = map[int]fixture{}
	tempDirs  []string
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range tempDirs {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func openFixture(b *testing.B, depth int) (*sqldict.Dict, fixture) {
	b.Helper()
	ctx := context.Background()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	f, ok := fixtures[depth]
	if !ok {
		dir := os.Getenv("SQLDICT_BENCH_DIR")
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp("", "sqldict-snapshot-bench-"); err != nil {
				b.Fatal(err)
			}
			tempDirs = append(tempDirs, dir)
		}
		f.path = filepath.Join(dir, fmt.Sprintf("snapshot-depth%d.db", depth))
		if f, ok = loadFixture(b, f.path); ok {
			fixtures[depth] = f
			return openReadOnly(b, f)
		}
		os.Remove(f.path)
		d, err := sqldict.OpenURL(ctx, "sqlite:"+f.path, sqldict.Options{})
		if err != nil {
			b.Fatal(err)
		}
		do := func(ws []sqldict.Write) int64 {
			es, err := d.Commit(ctx, ws...)
			if err != nil {
				b.Fatal(err)
			}
			return es[len(es)-1].Sequence
		}
		if depth == 1 {
			for c := range 100 {
				ws := make([]sqldict.Write, 0, benchKeys/100)
				for i := c; i < benchKeys; i += 100 {
					ws = append(ws, sqldict.Write{Key: benchKey(i), Value: fmt.Appendf(nil, "value 0 of %s", benchKey(i))})
				}
				f.rounds = append(f.rounds, do(ws))
			}
		} else {
			ws := make([]sqldict.Write, benchKeys)
			for v := range depth {
				for i := range ws {
					ws[i] = sqldict.Write{Key: benchKey(i), Value: fmt.Appendf(nil, "value %d of %s", v, benchKey(i))}
				}
				f.rounds = append(f.rounds, do(ws))
			}
		}
		for i := range tailCommits {
			k := benchKey(i * (benchKeys / tailCommits))
			f.head = do([]sqldict.Write{{Key: k, Value: []byte("tail")}})
		}
		if _, err := d.DB().ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		d.Close()
		f.saved.Rounds, f.saved.Head = f.rounds, f.head
		meta, _ := json.Marshal(f.saved)
		if err := os.WriteFile(f.path+".json", meta, 0o644); err != nil {
			b.Fatal(err)
		}
		fixtures[depth] = f
	}
	return openReadOnly(b, f)
}

func openReadOnly(b *testing.B, f fixture) (*sqldict.Dict, fixture) {
	d, err := sqldict.OpenURL(context.Background(), "sqlite:"+f.path, sqldict.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	return d, f
}

// loadFixture reads back a fixture a previous run left in path, with the
// commit boundaries saved beside it.
func loadFixture(b *testing.B, path string) (fixture, bool) {
	f := fixture{path: path}
	if _, err := os.Stat(path); err != nil {
		return f, false
	}
	meta, err := os.ReadFile(path + ".json")
	if err != nil || json.Unmarshal(meta, &f.saved) != nil || len(f.saved.Rounds) == 0 {
		return f, false
	}
	f.rounds, f.head = f.saved.Rounds, f.saved.Head
	return f, true
}

// points names the sequences the view benchmarks read at: old (1% into the
// build, or 10% of the keys at depth 1), middle and recent.
func points(f fixture) []struct {
	name string
	seq  int64
} {
	n := len(f.rounds)
	old := f.rounds[0]
	if n == 100 && f.rounds[0] < benchKeys { // depth 1: 100 partial commits
		old = f.rounds[9]
	}
	return []struct {
		name string
		seq  int64
	}{{"old", old}, {"middle", f.rounds[n/2-1]}, {"recent", f.rounds[n-2]}}
}

// reader is the read side shared by a View and a Dict's head.
type reader interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Keys(ctx context.Context) ([]string, error)
}

// targets are the views at each point, then the head.
func targets(b *testing.B, d *sqldict.Dict, f fixture) []struct {
	name string
	r    reader
} {
	var out []struct {
		name string
		r    reader
	}
	for _, p := range points(f) {
		v, err := snapshot.At(context.Background(), d, p.seq)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, struct {
			name string
			r    reader
		}{fmt.Sprintf("at=%s(seq=%d)", p.name, p.seq), v})
	}
	return append(out, struct {
		name string
		r    reader
	}{"at=head(Dict)", d})
}

func BenchmarkViewGet(b *testing.B) {
	ctx := context.Background()
	for _, depth := range []int{1, 100} {
		d, f := openFixture(b, depth)
		for _, tg := range targets(b, d, f) {
			keys, err := tg.r.Keys(ctx)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("depth=%d/%s", depth, tg.name), func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					if _, err := tg.r.Get(ctx, keys[i%len(keys)]); err != nil {
						b.Fatal(err)
					}
					i += 7919
				}
			})
		}
	}
}

func BenchmarkViewKeys(b *testing.B) {
	ctx := context.Background()
	for _, depth := range []int{1, 100} {
		d, f := openFixture(b, depth)
		for _, tg := range targets(b, d, f) {
			b.Run(fmt.Sprintf("depth=%d/%s", depth, tg.name), func(b *testing.B) {
				b.ReportAllocs()
				n := 0
				for b.Loop() {
					keys, err := tg.r.Keys(ctx)
					if err != nil {
						b.Fatal(err)
					}
					n += len(keys)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/key")
			})
		}
	}
}

// BenchmarkDiff diffs 10 changed keys, 10 commits apart, at the end of
// journals of 10k, 100k and 1M rows, and 10 rows apart in the middle of
// them.
func BenchmarkDiff(b *testing.B) {
	ctx := context.Background()
	for _, depth := range []int{1, 10, 100} {
		d, f := openFixture(b, depth)
		mid := f.rounds[len(f.rounds)/2-1]
		for _, span := range []struct {
			name     string
			from, to int64
		}{
			{"tail", f.head - tailCommits, f.head},
			{"middle", mid, mid + 10},
		} {
			a, err := snapshot.At(ctx, d, span.from)
			if err != nil {
				b.Fatal(err)
			}
			z, err := snapshot.At(ctx, d, span.to)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("rows=%d/%s", f.head, span.name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					cs, err := snapshot.Diff(ctx, a, z)
					if err != nil {
						b.Fatal(err)
					}
					if len(cs) != 10 {
						b.Fatalf("%d changes, want 10", len(cs))
					}
				}
			})
		}
	}
}
