package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "github.com/mattn/go-sqlite3"

	"github.com/sqldict/sqldict/dialects/sqlite"
	"github.com/sqldict/sqldict/migrations"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "m.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestUp_TwoJournalsOneFile(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	d := &sqlite.Dialect{}
	latest, err := migrations.Latest("sqlite")
	if err != nil || latest < 1 {
		t.Fatalf("Latest = %d, %v", latest, err)
	}
	for _, table := range []string{"a", "b", "a"} { // the second "a" is a no-op
		if err := migrations.Up(ctx, db, d, migrations.Journal{Table: table, KeyLength: 255}); err != nil {
			t.Fatalf("Up(%s): %v", table, err)
		}
		v, dirty, err := migrations.Current(ctx, db, d, migrations.Journal{Table: table})
		if err != nil || dirty || v != latest {
			t.Fatalf("Current(%s) = %d, %v, %v; want %d", table, v, dirty, err, latest)
		}
	}
	// Both journals have their own tables and indexes.
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name IN
		('a', 'a_meta', 'a_head', 'a_migrations', 'a_label_seq', 'b', 'b_meta', 'b_head', 'b_migrations', 'b_label_seq')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 10 {
		t.Fatalf("found %d of the 10 tables and indexes of two journals", n)
	}
	if _, err := db.Exec(`INSERT INTO a_meta (id, last_seq, last_created, horizon, key_length) VALUES (1, 0, '', 0, 1)`); err == nil {
		t.Fatal("a second meta row was accepted")
	}
}

func TestUp_RefusesNewerAndDirty(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	d := &sqlite.Dialect{}
	j := migrations.Journal{Table: "j", KeyLength: 255}
	if err := migrations.Up(ctx, db, d, j); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE j_migrations SET version = 99`); err != nil {
		t.Fatal(err)
	}
	if err := migrations.Up(ctx, db, d, j); !errors.Is(err, migrations.ErrSchemaTooNew) {
		t.Fatalf("Up on a newer schema = %v, want ErrSchemaTooNew", err)
	}
	if _, err := db.Exec(`UPDATE j_migrations SET version = 1, dirty = 1`); err != nil {
		t.Fatal(err)
	}
	if err := migrations.Up(ctx, db, d, j); !errors.Is(err, migrations.ErrDirty) {
		t.Fatalf("Up on a dirty schema = %v, want ErrDirty", err)
	}
}

func TestStatements(t *testing.T) {
	got := migrations.Statements("-- c\nCREATE TABLE x (\n  a INT\n);\n\nINSERT INTO x VALUES (1);\n")
	if len(got) != 2 || got[0] != "CREATE TABLE x (\n  a INT\n)" || got[1] != "INSERT INTO x VALUES (1)" {
		t.Fatalf("Statements = %q", got)
	}
	fn := "CREATE FUNCTION f() RETURNS INT AS $$\nBEGIN\n  -- c\n  PERFORM 1;\n  RETURN 2;\nEND\n$$ LANGUAGE plpgsql;\nSELECT f();\n"
	got = migrations.Statements(fn)
	if len(got) != 2 || got[0] != "CREATE FUNCTION f() RETURNS INT AS $$\nBEGIN\n  PERFORM 1;\n  RETURN 2;\nEND\n$$ LANGUAGE plpgsql" || got[1] != "SELECT f()" {
		t.Fatalf("Statements = %q", got)
	}
	// A MySQL procedure: DELIMITER between statements changes the
	// terminator and is no statement itself.
	proc := "DROP PROCEDURE IF EXISTS p;\ndelimiter //\nCREATE PROCEDURE p()\nBEGIN\n  -- c\n  SELECT 1;\n  SELECT 2;\nEND //\nDELIMITER ;\nSELECT 3;\n"
	got = migrations.Statements(proc)
	if len(got) != 3 || got[0] != "DROP PROCEDURE IF EXISTS p" || got[1] != "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND" || got[2] != "SELECT 3" {
		t.Fatalf("Statements = %q", got)
	}
	// Inside a statement, or without a terminator after it, the word is
	// text: the statement goes on to its ";".
	mid := "UPDATE t SET a = 1,\nDELIMITER = 2;\nDELIMITER\n;\n"
	got = migrations.Statements(mid)
	if len(got) != 2 || got[0] != "UPDATE t SET a = 1,\nDELIMITER = 2" || got[1] != "DELIMITER" {
		t.Fatalf("Statements = %q", got)
	}
}
