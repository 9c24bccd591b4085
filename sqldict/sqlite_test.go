package sqldict_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestSQLite_Conformance(t *testing.T) {
	sqldicttest.Run(t, sqldicttest.OpenSQLite)
}

func TestSQLite_Memory_Conformance(t *testing.T) {
	sqldicttest.Run(t, sqldicttest.OpenSQLiteMemory)
}

func TestOpen_SchemaAndKeyLength(t *testing.T) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
	d, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: "j", KeyLength: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: "j", KeyLength: 65}); !errors.Is(err, sqldict.ErrInvalidArgument) {
		t.Fatalf("reopen with a longer KeyLength = %v, want ErrInvalidArgument", err)
	}
	if _, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: "Bad-Name"}); !errors.Is(err, sqldict.ErrInvalidArgument) {
		t.Fatalf("bad table = %v, want ErrInvalidArgument", err)
	}
	if _, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: "fresh", SkipMigrate: true}); err == nil {
		t.Fatal("SkipMigrate on a missing journal opened")
	}
	if _, err := d.DB().Exec(`UPDATE j_migrations SET version = 99`); err != nil {
		t.Fatal(err)
	}
	if _, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: "j"}); !errors.Is(err, sqldict.ErrSchemaTooNew) {
		t.Fatalf("open of a newer schema = %v, want ErrSchemaTooNew", err)
	}
}

// TestSQLite_ReadOnly_MissingFile: a read-only open never creates the file
// it was pointed at (a mistyped path must not become an empty database).
func TestSQLite_ReadOnly_MissingFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"typo.db", "with space%.db"} {
		path := filepath.Join(dir, name)
		for _, url := range []string{"sqlite:" + path, "sqlite://" + path + "?_synchronous=NORMAL"} {
			_, err := sqldict.OpenURL(ctx, url, sqldict.Options{ReadOnly: true})
			if !errors.Is(err, sqldict.ErrNoJournal) || !errors.Is(err, os.ErrNotExist) {
				t.Errorf("read-only open of missing %s = %v, want ErrNoJournal and os.ErrNotExist", url, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("read-only open created %s: %v", path, err)
			}
		}
	}
	// In memory there is no file to require.
	if _, err := sqldict.OpenURL(ctx, "sqlite::memory:", sqldict.Options{ReadOnly: true}); !errors.Is(err, sqldict.ErrNoJournal) {
		t.Errorf("read-only open of a new in-memory database = %v, want ErrNoJournal (no journal in it)", err)
	}
}

// TestOpen_OneConnectionPool: a writable Dict on a pool of one connection
// would hang at its first write (the transaction holds the connection the
// statement cache needs) or at the first read after it (SQLite's writer
// keeps one): Open refuses it with ErrInvalidArgument; a read-only Dict
// opens.
func TestOpen_OneConnectionPool(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "one.db")
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{Table: "j"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Set(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	dialect := d.Dialect()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := sqldict.OpenDB(ctx, db, dialect, sqldict.Options{Table: "j"}); !errors.Is(err, sqldict.ErrInvalidArgument) {
		t.Fatalf("writable open on a one-connection pool = %v, want ErrInvalidArgument", err)
	}
	ro, err := sqldict.OpenDB(ctx, db, dialect, sqldict.Options{Table: "j", ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open on a one-connection pool: %v", err)
	}
	defer ro.Close()
	if v, err := ro.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("read-only Get = %q, %v", v, err)
	}
}

// TestOpenURL_SQLiteSynchronous: a file opened by URL syncs every commit
// (synchronous=FULL, 2), as docs/engines.md promises, unless the URL says
// otherwise; go-sqlite3 by itself sets NORMAL (1) in WAL mode.
func TestOpenURL_SQLiteSynchronous(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		query string
		want  int
	}{{"", 2}, {"?_synchronous=NORMAL", 1}} {
		d, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(t.TempDir(), "s.db")+tc.query, sqldict.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var got int
		if err := d.DB().QueryRowContext(ctx, "PRAGMA synchronous").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Fatalf("sqlite:FILE%s: PRAGMA synchronous = %d, want %d", tc.query, got, tc.want)
		}
	}
}
