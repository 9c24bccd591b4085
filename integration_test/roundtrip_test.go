package integration_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestCLI_ExportImportAcrossEngines moves a whole journal with the real
// sqldict binary: SQLite → export → import into PostgreSQL → export →
// import into MariaDB. Every view at every sequence must read the same on
// all three, binary values with NUL bytes and invalid UTF-8 included.
func TestCLI_ExportImportAcrossEngines(t *testing.T) {
	pgURL, myURL := postgreSQL.URL(t), mariaDB.URL(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "sqldict")
	build := exec.Command("go", "build", "-C", "..", "-o", bin, "./cmd/sqldict")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the CLI: %v\n%s", err, out)
	}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "SQLDICT_URL=", "SQLDICT_TABLE=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("sqldict %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	// A history with binary values, deletions, rewrites and metadata.
	ctx := context.Background()
	table := sqldicttest.UniqueTable()
	srcURL := "sqlite:" + filepath.Join(dir, "src.db")
	src, err := sqldict.OpenURL(ctx, srcURL, sqldict.Options{Table: table})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	seed := sqldicttest.Seed(t)
	r := rand.New(rand.NewPCG(seed, seed))
	m := &sqldicttest.Model{}
	for range 150 {
		ws := sqldicttest.RandomWrites(r, m, 12, 3)
		for i := range ws {
			if ws[i].Value != nil && r.IntN(3) == 0 {
				ws[i].Value = []byte{0, 0xff, 0xc3, 0x28, byte(r.IntN(256)), 0}
			}
		}
		if m.Apply(ws) == nil {
			if _, err := src.Commit(ctx, ws...); err != nil {
				t.Fatal(err)
			}
		}
	}

	pgTable, myTable := sqldicttest.UniqueTable(), sqldicttest.UniqueTable()
	t.Cleanup(func() { postgreSQL.Drop(t, pgTable); mariaDB.Drop(t, myTable) })
	run("--db", srcURL, "--table", table, "export", "-o", "a.jsonl")
	run("--db", pgURL, "--table", pgTable, "import", "a.jsonl")
	run("--db", pgURL, "--table", pgTable, "export", "-o", "b.jsonl")
	run("--db", myURL, "--table", myTable, "import", "b.jsonl")
	run("--db", myURL, "--table", myTable, "export", "-o", "c.jsonl")
	a, b, c := readRows(t, dir, "a.jsonl"), readRows(t, dir, "b.jsonl"), readRows(t, dir, "c.jsonl")
	if !slices.Equal(a, b) || !slices.Equal(b, c) {
		t.Fatalf("exports differ: %d, %d, %d rows", len(a), len(b), len(c))
	}

	pg := postgreSQL.Open(t, "", sqldict.Options{Table: pgTable})
	my := mariaDB.Open(t, "", sqldict.Options{Table: myTable})
	st, err := src.Stat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for seq := int64(0); seq <= st.Sequence; seq++ {
		want := viewDump(t, src, seq)
		for _, d := range []*sqldict.Dict{pg, my} {
			if got := viewDump(t, d, seq); got != want {
				t.Fatalf("%s at sequence %d:\n got %s\nwant %s", d.Dialect().Name(), seq, got, want)
			}
		}
	}
}

// readRows returns an export's row lines (the header names the table).
func readRows(t *testing.T, dir, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	return lines[1:]
}

// viewDump renders everything a view at seq answers: keys, count, and each
// key's newest entry with its metadata and value bytes.
func viewDump(t *testing.T, d *sqldict.Dict, seq int64) string {
	t.Helper()
	ctx := context.Background()
	s, err := d.Snapshot(ctx, seq)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.Len(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "len=%d time=%s", n, s.Time().UTC().Format("2006-01-02T15:04:05.000000"))
	for _, k := range keys {
		e, err := s.Entry(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, " %q=%x(v%d s%d %s %q %q)", k, e.Value, e.Version, e.Sequence,
			e.Created.Format("15:04:05.000000"), e.Author, e.Comment)
	}
	return b.String()
}
