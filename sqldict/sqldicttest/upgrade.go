package sqldicttest

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/migrations"
	"github.com/sqldict/sqldict/sqldict"
)

// v1Row is one journal row as schema version 1 stores it.
type v1Row struct {
	key     string
	value   string
	deleted bool
}

// v1Rows is the journal the upgrade test writes at schema 1: a rewritten
// key, a deleted one, an empty value, a plain one. Live: a, c, d.
var v1Rows = []v1Row{
	{key: "a", value: "a1"},
	{key: "b", value: "b1"},
	{key: "a", value: "a2"},
	{key: "c", value: ""},
	{key: "b", deleted: true},
	{key: "d", value: "d1"},
}

// CreateV1Journal creates table at schema version 1 with the runner and
// fills it with v1Rows the way the release that wrote schema 1 did: journal
// rows, one head row per key, the meta row advanced. It returns the rows'
// commit time.
func CreateV1Journal(t testing.TB, db *sql.DB, dialect dialects.Dialect, table string) time.Time {
	t.Helper()
	ctx := context.Background()
	j := migrations.Journal{Table: table, KeyLength: sqldict.DefaultKeyLength}
	Must(t, migrations.To(ctx, db, dialect, j, 1))
	p := dialect.Placeholder
	ph := func(n int) string {
		s := ""
		for i := 1; i <= n; i++ {
			if i > 1 {
				s += ", "
			}
			s += p(i)
		}
		return s
	}
	created := time.Now().UTC().Truncate(time.Second)
	tx, err := db.BeginTx(ctx, nil)
	Must(t, err)
	defer func() { _ = tx.Rollback() }()
	versions := map[string]int64{}
	for i, r := range v1Rows {
		seq := int64(i + 1)
		versions[r.key]++
		var item any = []byte(r.value)
		if r.deleted {
			item = nil
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO "+table+" ("+dialects.EntryColumns+") VALUES ("+ph(8)+")",
			seq, r.key, item, r.deleted, dialect.EncodeTime(created), versions[r.key], "", "")
		Must(t, err)
		_, err = tx.ExecContext(ctx, "DELETE FROM "+dialects.HeadTable(table)+" WHERE label = "+p(1), r.key)
		Must(t, err)
		_, err = tx.ExecContext(ctx, "INSERT INTO "+dialects.HeadTable(table)+
			" (label, sequence_number, version, is_deleted) VALUES ("+ph(4)+")", r.key, seq, versions[r.key], r.deleted)
		Must(t, err)
	}
	_, err = tx.ExecContext(ctx, "UPDATE "+dialects.MetaTable(table)+" SET last_seq = "+p(1)+", last_created = "+p(2)+" WHERE id = 1",
		int64(len(v1Rows)), dialect.EncodeTime(created))
	Must(t, err)
	Must(t, tx.Commit())
	return created
}

// testUpgradeFromV1 opens journals a release at schema version 1 made:
// each upgrades in place, keeps its data, versions and times, and counts
// its live keys; eight Dicts opening one such journal at once all succeed
// and migrate it once.
func testUpgradeFromV1(t *testing.T, open Opener) {
	ctx := context.Background()
	base := NewDict(t, open, sqldict.Options{})
	db, dialect := base.DB(), base.Dialect()

	table := UniqueTable()
	created := CreateV1Journal(t, db, dialect, table)
	d := open(t, sqldict.Options{Table: table}) // migrates
	t.Cleanup(func() { CheckInvariants(t, d) })
	checkV1Journal(t, d, created)
	v, dirty, err := migrations.Current(ctx, db, dialect, migrations.Journal{Table: table})
	latest, lerr := migrations.Latest(dialect.Name())
	if err != nil || lerr != nil || dirty || v != latest {
		t.Fatalf("schema after open: version %d dirty %v (%v, %v), want %d", v, dirty, err, lerr, latest)
	}
	// The count follows writes after the upgrade.
	es, err := d.Commit(ctx, sqldict.Write{Key: "a", Value: []byte("a3")}, sqldict.Write{Key: "b", Value: []byte("b3")},
		sqldict.Write{Key: "d", Delete: true}, sqldict.Write{Key: "e", Value: []byte("e1")})
	Must(t, err)
	if got := []int64{es[0].Version, es[1].Version, es[2].Version, es[3].Version}; !slices.Equal(got, []int64{3, 3, 2, 1}) {
		t.Fatalf("versions after the upgrade: %v, want [3 3 2 1]", got)
	}
	if n, err := d.Len(ctx); err != nil || n != 4 {
		t.Fatalf("Len after writes = %d, %v, want 4", n, err)
	}

	// Down to schema 1 and up again: the count is rebuilt from the head.
	j := migrations.Journal{Table: table, KeyLength: sqldict.DefaultKeyLength}
	Must(t, migrations.To(ctx, db, dialect, j, 1))
	d2 := open(t, sqldict.Options{Table: table})
	if n, err := d2.Len(ctx); err != nil || n != 4 {
		t.Fatalf("Len after down and up = %d, %v, want 4", n, err)
	}

	// Concurrent first opens of an old journal.
	table2 := UniqueTable()
	created2 := CreateV1Journal(t, db, dialect, table2)
	dicts, err := OpenTogether(8, func() (*sqldict.Dict, error) {
		return sqldict.OpenDB(ctx, db, dialect, sqldict.Options{Table: table2})
	})
	for _, d := range dicts {
		t.Cleanup(func() { d.Close() })
	}
	d3 := open(t, sqldict.Options{Table: table2}) // registers table2 with the engine's cleanup
	if err != nil {
		t.Fatalf("concurrent first open of a schema 1 journal: %v", err)
	}
	for _, d := range dicts {
		checkV1Journal(t, d, created2)
	}
	t.Cleanup(func() { CheckInvariants(t, d3) })
}

// checkV1Journal checks a journal CreateV1Journal made at created, after its
// upgrade.
func checkV1Journal(t *testing.T, d *sqldict.Dict, created time.Time) {
	t.Helper()
	ctx := context.Background()
	if n, err := d.Len(ctx); err != nil || n != 3 {
		t.Fatalf("Len after upgrade = %d, %v, want 3", n, err)
	}
	st, err := d.Stat(ctx)
	Must(t, err)
	if st.Sequence != int64(len(v1Rows)) || st.Live != 3 || st.Horizon != 0 {
		t.Fatalf("Stat after upgrade = %+v, want sequence %d, 3 live", st, len(v1Rows))
	}
	if keys, err := d.Keys(ctx); err != nil || !slices.Equal(keys, []string{"a", "c", "d"}) {
		t.Fatalf("Keys after upgrade = %q, %v", keys, err)
	}
	for k, want := range map[string]string{"a": "a2", "c": "", "d": "d1"} {
		if v, err := d.Get(ctx, k); err != nil || string(v) != want {
			t.Fatalf("Get(%s) after upgrade = %q, %v, want %q", k, v, err, want)
		}
	}
	b, err := d.Entry(ctx, "b")
	Must(t, err)
	if !b.Deleted || b.Version != 2 || b.Sequence != 5 {
		t.Fatalf("Entry(b) after upgrade = %+v, want the tombstone, version 2 at 5", b)
	}
	a, err := d.History(ctx, "a")
	Must(t, err)
	if len(a) != 2 || a[0].Version != 1 || a[1].Version != 2 || a[1].Sequence != 3 {
		t.Fatalf("History(a) after upgrade = %+v", a)
	}
	if !a[1].Created.Equal(created) {
		t.Fatalf("created after upgrade = %s, want %s", a[1].Created, created)
	}
	s, err := d.Snapshot(ctx, 2)
	Must(t, err)
	if n, err := s.Len(ctx); err != nil || n != 2 {
		t.Fatalf("Len at sequence 2 after upgrade = %d, %v, want 2", n, err)
	}
}

// OpenTogether calls open from n goroutines released at once, as processes
// starting together do, and returns the Dicts that opened (the caller
// closes them) and every error joined.
func OpenTogether(n int, open func() (*sqldict.Dict, error)) ([]*sqldict.Dict, error) {
	dicts := make([]*sqldict.Dict, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			dicts[i], errs[i] = open()
		})
	}
	close(start)
	wg.Wait()
	return slices.DeleteFunc(dicts, func(d *sqldict.Dict) bool { return d == nil }), errors.Join(errs...)
}
