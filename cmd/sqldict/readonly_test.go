package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/dialects/sqlite"
	"github.com/sqldict/sqldict/migrations"
)

// readVerbs are command lines of every verb that only reads.
var readVerbs = [][]string{
	{"get", "k"},
	{"get", "k", "--json"},
	{"get", "k", "--version", "1"},
	{"get", "k", "--as-of", "-1h"},
	{"keys"},
	{"keys", "--at", "0"},
	{"len"},
	{"log", "k"},
	{"diff", "k", "1", "2"},
	{"diff", "--from", "-1h"},
	{"export"},
}

// TestRun_ReadVerbs_MissingFile: a read on a mistyped SQLite path fails
// naming the file, and creates no file (it used to create an empty
// database and answer from it).
func TestRun_ReadVerbs_MissingFile(t *testing.T) {
	c := newCLI(t)
	c.url = "sqlite:" + filepath.Join(c.dir, "typo.db")
	for _, args := range readVerbs {
		c.fails(exitError, "database file "+filepath.Join(c.dir, "typo.db")+" does not exist", "", args...)
	}
	if got := c.ok("", "migrate", "--status"); !strings.Contains(got, "not created (the database file does not exist)") {
		t.Errorf("migrate --status on a missing file printed %q", got)
	}
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("read verbs left files behind: %v", entries)
	}
}

// tables lists the tables of the SQLite file at path, read directly.
func tables(t *testing.T, path string) []string {
	t.Helper()
	return sqliteNames(t, path, "WHERE type = 'table'")
}

// sqliteNames lists the names in the catalog of the SQLite file at path
// (tables, indexes, triggers) that match where, read directly.
func sqliteNames(t *testing.T, path, where string) []string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master " + where + " ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

// TestRun_ReadVerbs_MissingJournal: in an existing database, a read of a
// journal never created fails naming the table and creates no table;
// migrate --status reports "not created" and changes nothing.
func TestRun_ReadVerbs_MissingJournal(t *testing.T) {
	c := newCLI(t)
	c.ok("", "set", "k", "v", "--table", "present")
	before := tables(t, c.path)
	for _, args := range readVerbs {
		c.fails(exitError, "journal sqldict does not exist in "+c.url, "", args...)
	}
	if got := c.ok("", "migrate", "--status"); got != "journal sqldict: not created; 'sqldict migrate' or any write creates it\n" {
		t.Errorf("migrate --status printed %q", got)
	}
	var j map[string]any
	if err := json.Unmarshal([]byte(c.ok("", "migrate", "--status", "--json")), &j); err != nil {
		t.Fatal(err)
	}
	if j["created"] != false || j["table"] != "sqldict" {
		t.Errorf("migrate --status --json = %v", j)
	}
	if after := tables(t, c.path); !slices.Equal(after, before) {
		t.Errorf("tables after reads: %v, before: %v", after, before)
	}
	// The existing journal reads as before, and migrate creates the other.
	if got := c.ok("", "get", "k", "--table", "present"); got != "v" {
		t.Errorf("get from the existing journal = %q", got)
	}
	if got := c.ok("", "migrate"); !strings.Contains(got, "journal sqldict (sqlite): schema version") {
		t.Errorf("migrate printed %q", got)
	}
	c.ok("", "keys")
}

// TestRun_DBLabel: messages name the database by its URL without the
// password.
func TestRun_DBLabel(t *testing.T) {
	a := &app{db: "postgres://me:secret@db.example/prod?sslmode=disable"}
	if got := a.dbLabel(); strings.Contains(got, "secret") || !strings.Contains(got, "db.example/prod") {
		t.Errorf("dbLabel = %q", got)
	}
	a.db = "sqlite:some/file.db"
	if got := a.dbLabel(); got != "sqlite:some/file.db" {
		t.Errorf("dbLabel = %q", got)
	}
}

// TestRun_ReadVerbs_OldSchema: a journal at an older schema version is read
// (and so migrated, as every verb migrates on open) unless --no-migrate;
// migrate --status reports it and leaves it at its version.
func TestRun_ReadVerbs_OldSchema(t *testing.T) {
	c := newCLI(t)
	ctx := context.Background()
	db, err := sql.Open("sqlite3", c.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	j := migrations.Journal{Table: "sqldict", KeyLength: 255}
	if err := migrations.To(ctx, db, &sqlite.Dialect{}, j, 1); err != nil {
		t.Fatal(err)
	}
	latest, err := migrations.Latest("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if latest < 2 {
		t.Skip("this build knows one schema version: no older journal to read")
	}
	version := func() uint {
		t.Helper()
		v, _, err := migrations.Current(ctx, db, &sqlite.Dialect{}, j)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	got := c.ok("", "migrate", "--status")
	if !strings.HasPrefix(got, "journal sqldict: schema older than this build: version 1") || version() != 1 {
		t.Errorf("migrate --status of an old journal printed %q, left version %d", got, version())
	}
	c.fails(exitError, "open sqldict: schema older than this build", "", "keys", "--no-migrate")
	if version() != 1 {
		t.Fatalf("--no-migrate migrated the journal")
	}
	if got := c.ok("", "keys"); got != "" {
		t.Errorf("keys of an empty old journal = %q", got)
	}
	if v := version(); v != latest {
		t.Errorf("after a read the journal is at version %d, want %d", v, latest)
	}
}
