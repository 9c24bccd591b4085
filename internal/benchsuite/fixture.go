package benchsuite

import (
	"context"
	"fmt"
	"testing"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/sqldict"
)

// Key is the i-th benchmark key; keys sort in i order.
func Key(i int) string { return fmt.Sprintf("bench/%07d", i) }

// value is the value key i holds after round r: some thirty bytes.
func value(i, r int) []byte { return fmt.Appendf(nil, "value %d of %s", r, Key(i)) }

const (
	// FixtureKeys is the key count of the depth fixtures.
	FixtureKeys = 10_000
	// tailCommits single-write commits end every fixture: the changes the
	// Diff benchmark finds.
	tailCommits = 10
	buildBatch  = 10_000
)

// Fixture is a journal of keys keys, each written depth times in rounds of
// commits of buildBatch writes, then tailCommits single writes of keys
// spread over the key space.
type Fixture struct {
	D           *sqldict.Dict // opened read-only
	Keys, Depth int
	Head        int64 // newest sequence
}

// Round returns the sequence at the end of round r (1-based).
func (f Fixture) Round(r int) int64 { return int64(r * f.Keys) }

// Fixture returns the fixture of keys × depth on e, building it when
// missing or incomplete. The plain table beside it holds the same keys when
// withPlain is set.
func (e *Engine) Fixture(b *testing.B, keys, depth int, withPlain bool) Fixture {
	b.Helper()
	table := fmt.Sprintf("bench_k%d_d%d", keys, depth)
	f := Fixture{Keys: keys, Depth: depth, Head: int64(keys*depth + tailCommits)}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fixtures == nil {
		e.fixtures = map[string]*sqldict.Dict{}
	}
	if f.D = e.fixtures[table]; f.D != nil {
		return f
	}
	if !e.complete(b, table, f, withPlain) {
		b.Logf("building fixture %s on %s (%d rows)", table, e.Name, f.Head)
		e.Drop(b, table)
		e.build(b, table, f, withPlain)
	}
	// Kept open, and its cache warm, for the rest of the process.
	f.D = e.Open(b, table, sqldict.Options{ReadOnly: true})
	warm(b, f, withPlain)
	e.fixtures[table] = f.D
	return f
}

// warm reads every key once through the Dict and the plain table, so that
// the first sub-benchmark does not pay for a cold cache the later ones
// find warm.
func warm(b *testing.B, f Fixture, withPlain bool) {
	ctx := context.Background()
	if f.Keys > FixtureKeys {
		return // the scan fixture is read once per run anyway
	}
	p := PlainFor(f.D)
	for i := range f.Keys {
		var v []byte
		if _, err := f.D.Get(ctx, Key(i)); err != nil {
			b.Fatal(err)
		}
		if !withPlain {
			continue
		}
		if err := f.D.DB().QueryRowContext(ctx, p.Get, Key(i)).Scan(&v); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := f.D.Keys(ctx); err != nil {
		b.Fatal(err)
	}
}

func (e *Engine) complete(b *testing.B, table string, f Fixture, withPlain bool) bool {
	ctx := context.Background()
	d := e.Open(b, table, sqldict.Options{})
	defer d.Close()
	st, err := d.Stat(ctx)
	if err != nil || st.Sequence != f.Head {
		return false
	}
	if !withPlain {
		return true
	}
	var n int
	err = d.DB().QueryRowContext(ctx, PlainFor(d).Count).Scan(&n)
	return err == nil && n == f.Keys
}

func (e *Engine) build(b *testing.B, table string, f Fixture, withPlain bool) {
	ctx := context.Background()
	d := e.Open(b, table, sqldict.Options{})
	defer d.Close()
	ws := make([]sqldict.Write, 0, buildBatch)
	for r := range f.Depth {
		for lo := 0; lo < f.Keys; lo += buildBatch {
			ws = ws[:0]
			for i := lo; i < min(lo+buildBatch, f.Keys); i++ {
				ws = append(ws, sqldict.Write{Key: Key(i), Value: value(i, r)})
			}
			if _, err := d.Commit(ctx, ws...); err != nil {
				b.Fatalf("build %s: %v", table, err)
			}
		}
	}
	for i := range tailCommits {
		if err := d.Set(ctx, Key(i*(f.Keys/tailCommits)), []byte("tail")); err != nil {
			b.Fatalf("build %s: %v", table, err)
		}
	}
	if withPlain {
		p := PlainFor(d)
		if err := p.Ensure(ctx); err != nil {
			b.Fatal(err)
		}
		if err := p.fill(ctx, f.Keys, f.Depth-1); err != nil {
			b.Fatal(err)
		}
	}
	analyze(b, d, table, table+"_plain", dialects.HeadTable(table))
}

// analyze refreshes the planner's statistics of tables.
func analyze(b *testing.B, d *sqldict.Dict, tables ...string) {
	ctx := context.Background()
	var qs []string
	switch d.Dialect().Name() {
	case "mysql":
		for _, t := range tables {
			qs = append(qs, "ANALYZE TABLE "+t)
		}
	case "postgres":
		for _, t := range tables {
			qs = append(qs, "ANALYZE "+t)
		}
	default:
		qs = []string{"ANALYZE"}
	}
	for _, q := range qs {
		if _, err := d.DB().ExecContext(ctx, q); err != nil {
			b.Logf("%s: %v", q, err) // a missing plain table is fine
		}
	}
}
