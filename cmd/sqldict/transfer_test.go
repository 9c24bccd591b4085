package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// fill writes a history with every kind of row: batches, binary values with
// NUL and invalid UTF-8, empty values, deletions, re-creations, metadata.
func fill(t *testing.T, d *sqldict.Dict) {
	t.Helper()
	ctx := context.Background()
	steps := [][]sqldict.Write{
		{{Key: "text", Value: []byte("hello\n"), Author: "ana", Comment: "first"}},
		{{Key: "nul", Value: []byte{0, 1, 0, 2}}, {Key: "bad-utf8", Value: []byte{0xff, 0xfe, 'x', 0xc3}}},
		{{Key: "empty", Value: []byte{}, Author: "bø", Comment: "ünïcode, \"quotes\"\nand a second line"}},
		{{Key: "text", Value: []byte("hello again\n")}, {Key: "nul", Delete: true, Comment: "drop"}},
		{{Key: "nul", Value: []byte{0}}, {Key: "text", Value: []byte("x")}, {Key: "text", Delete: true}},
		{{Key: "app/é/ключ", Value: bytes.Repeat([]byte{0, 0xff}, 5000)}},
		{{Key: "empty", Delete: true}},
		{{Key: "text", Value: []byte("back")}},
	}
	for _, ws := range steps {
		if _, err := d.Commit(ctx, ws...); err != nil {
			t.Fatal(err)
		}
	}
}

// sameViews checks that two journals answer every read at every sequence
// alike: Keys, Len, and Get of every key either ever held.
func sameViews(t *testing.T, a, b *sqldict.Dict) {
	t.Helper()
	ctx := context.Background()
	sa, err := a.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sa != sb {
		t.Fatalf("heads differ: %+v vs %+v", sa, sb)
	}
	sqldicttest.CheckInvariants(t, b)
	for _, d := range []*sqldict.Dict{a, b} {
		if _, err := d.Keys(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ka, _ := a.Keys(ctx)
	kb, _ := b.Keys(ctx)
	na, _ := a.Len(ctx)
	nb, _ := b.Len(ctx)
	if !slices.Equal(ka, kb) || na != nb {
		t.Fatalf("heads list %q (%d) vs %q (%d)", ka, na, kb, nb)
	}
	ra, rb := rows(t, a), rows(t, b)
	if !reflect.DeepEqual(ra, rb) {
		t.Fatalf("rows differ:\n%+v\n%+v", ra, rb)
	}
	var all []string
	for _, e := range ra {
		all = append(all, e.Key)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	for seq := int64(0); seq <= sa.Sequence; seq++ {
		va, erra := a.Snapshot(ctx, seq)
		vb, errb := b.Snapshot(ctx, seq)
		if seq < sa.Horizon {
			if !errors.Is(erra, sqldict.ErrPruned) || !errors.Is(errb, sqldict.ErrPruned) {
				t.Fatalf("seq %d below horizon %d: %v, %v", seq, sa.Horizon, erra, errb)
			}
			continue
		}
		if erra != nil || errb != nil {
			t.Fatalf("seq %d: %v, %v", seq, erra, errb)
		}
		ka, err := va.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kb, err := vb.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ka, kb) {
			t.Fatalf("seq %d: keys %q vs %q", seq, ka, kb)
		}
		na, _ := va.Len(ctx)
		nb, _ := vb.Len(ctx)
		if na != nb || na != len(ka) {
			t.Fatalf("seq %d: len %d vs %d", seq, na, nb)
		}
		if !va.Time().Equal(vb.Time()) {
			t.Fatalf("seq %d: time %v vs %v", seq, va.Time(), vb.Time())
		}
		for _, k := range all {
			x, errx := va.Get(ctx, k)
			y, erry := vb.Get(ctx, k)
			if !bytes.Equal(x, y) || (errx == nil) != (erry == nil) || errors.Is(errx, sqldict.ErrNotFound) != errors.Is(erry, sqldict.ErrNotFound) {
				t.Fatalf("seq %d key %q: %q, %v vs %q, %v", seq, k, x, errx, y, erry)
			}
		}
	}
}

func rows(t *testing.T, d *sqldict.Dict) []sqldict.Entry {
	t.Helper()
	ctx := context.Background()
	st, err := d.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []sqldict.Entry
	for e, err := range d.Log(ctx, 0, st.Sequence) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestRun_ExportImport_RoundTrip(t *testing.T) {
	c := newCLI(t)
	fill(t, c.dict())
	c.ok("", "set", "via-cli", "-", "--author", "cli")
	dump := filepath.Join(c.dir, "dump.jsonl")
	c.ok("", "export", "-o", dump)

	// Into another file and another table name.
	copyURL := "sqlite:" + filepath.Join(c.dir, "copy.db")
	got := c.ok("", "import", dump, "--db", copyURL, "--table", "restored")
	if !strings.HasPrefix(got, "imported 13 rows into restored: sequence 13, horizon 0") {
		t.Errorf("import printed %q", got)
	}
	dst, err := sqldict.OpenURL(context.Background(), copyURL, sqldict.Options{Table: "restored"})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	sameViews(t, c.dict(), dst)

	// The copy's export is the same file, table name aside; and again
	// through stdin.
	again := c.ok("", "export", "--db", copyURL, "--table", "restored")
	orig, _ := os.ReadFile(dump)
	if strings.Replace(again, `"table":"restored"`, `"table":"sqldict"`, 1) != string(orig) {
		t.Errorf("second export differs:\n%s\nvs\n%s", again, orig)
	}
	third := "sqlite:" + filepath.Join(c.dir, "third.db")
	c.ok(again, "import", "-", "--db", third)
	d3, err := sqldict.OpenURL(context.Background(), third, sqldict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d3.Close()
	sameViews(t, c.dict(), d3)

	// Into a journal that is not empty: refused, nothing written.
	c.fails(exitUsage, "must be empty", "", "import", dump)
	if c.head() != 13 {
		t.Errorf("import into a non-empty journal wrote something")
	}
}

// TestRun_ExportImport_Pruned: a journal with a prune horizon (rows removed
// below it) round-trips too, horizon included.
func TestRun_ExportImport_Pruned(t *testing.T) {
	c := newCLI(t)
	fill(t, c.dict())
	pd, err := sqldict.OpenURL(context.Background(), c.url, sqldict.Options{PruneOnWrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := pd.Set(context.Background(), "nul", []byte("pruned the rest")); err != nil {
		t.Fatal(err)
	}
	pd.Close()
	dump := c.ok("", "export")
	if h := strings.SplitN(dump, "\n", 2)[0]; !strings.Contains(h, `"horizon":13`) {
		t.Fatalf("no horizon in the header: %s", h)
	}
	copyURL := "sqlite:" + filepath.Join(c.dir, "copy.db")
	c.ok(dump, "import", "--db", copyURL)
	dst, err := sqldict.OpenURL(context.Background(), copyURL, sqldict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	sameViews(t, c.dict(), dst)
}

func TestRun_Import_Refused(t *testing.T) {
	c := newCLI(t)
	fill(t, c.dict())
	dump := c.ok("", "export")
	lines := strings.SplitAfter(strings.TrimSuffix(dump, "\n"), "\n")
	lines[len(lines)-1] += "\n"
	edit := func(i int, old, new string) string {
		ls := slices.Clone(lines)
		if !strings.Contains(ls[i], old) {
			t.Fatalf("line %d %q lacks %q", i, ls[i], old)
		}
		ls[i] = strings.Replace(ls[i], old, new, 1)
		return strings.Join(ls, "")
	}
	n := len(lines)
	cases := map[string]struct{ in, want string }{
		"empty":          {"", "no export header"},
		"not an export":  {"hello\n", "not a sqldict export header"},
		"newer format":   {edit(0, `"sqldict_export":1`, `"sqldict_export":2`), "format 2"},
		"truncated":      {strings.Join(lines[:n-1], ""), "truncated"},
		"lost a row":     {strings.Join(slices.Delete(slices.Clone(lines), 3, 4), ""), "sequence"},
		"bad base64":     {edit(1, `"value":"`, `"value":"!!`), "illegal base64"},
		"unknown field":  {edit(1, `"seq"`, `"extra":1,"seq"`), "unknown field"},
		"version jump":   {edit(5, `"version":2`, `"version":5`), "version"},
		"row count":      {edit(n-1, `"rows":`, `"rows":1`), "end line counts"},
		"value on a del": {edit(6, `"value":null`, `"value":""`), "null exactly for a deletion"},
		"trailing data":  {strings.Join(lines, "") + "{}\n", "data after the end line"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			url := "sqlite:" + filepath.Join(t.TempDir(), "dst.db")
			c.fails(exitUsage, tc.want, tc.in, "import", "--db", url)
			d, err := sqldict.OpenURL(context.Background(), url, sqldict.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if st, _ := d.Stat(context.Background()); st.Sequence != 0 {
				t.Errorf("a refused import left sequence %d", st.Sequence)
			}
		})
	}
}
