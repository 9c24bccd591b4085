package sqldicttest

import (
	"slices"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// testTableNames: names every engine cannot take unquoted, and names whose
// tables collide with tables already there (another journal's head or meta
// table, an application's table), are refused with ErrInvalidArgument
// before anything is created; the refused journal leaves no table behind.
func testTableNames(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	must(t, d.Set(bg, "k", []byte("v")))
	db := d.DB()
	exists := func(name string) bool {
		rows, err := db.QueryContext(bg, "SELECT 1 FROM "+name+" WHERE 1 = 0")
		if err != nil {
			return false
		}
		rows.Close()
		return true
	}
	refused := func(name, why string, theirs ...string) {
		t.Helper()
		other, err := sqldict.OpenDB(bg, db, d.Dialect(), sqldict.Options{Table: name})
		if err == nil {
			other.Close()
			t.Fatalf("Open(%q), %s: opened", name, why)
		}
		wantErr(t, err, sqldict.ErrInvalidArgument)
		for _, suffix := range []string{"_migrations", "_meta", "_head"} {
			if !slices.Contains(theirs, name+suffix) && exists(name+suffix) {
				t.Fatalf("refused Open(%q), %s, left table %s behind", name, why, name+suffix)
			}
		}
	}
	for _, name := range []string{"select", "order", "user", "key", "table", "group", "window", "rank"} {
		if err := sqldict.ValidTable(name); err == nil {
			t.Fatalf("ValidTable(%q) accepts a reserved word", name)
		}
		refused(name, "a reserved word")
	}

	j := d.Table()
	refused(j+"_head", "the head table of journal "+j)
	refused(j+"_meta", "the meta table of journal "+j)
	// An application's table where the new journal's head would go.
	app := UniqueTable()
	if _, err := db.ExecContext(bg, "CREATE TABLE "+app+"_head (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.ExecContext(bg, "DROP TABLE "+app+"_head") })
	refused(app, "its head table taken by another table", app+"_head")
	if exists(app) {
		t.Fatalf("refused journal %s was created", app)
	}
	wantGet(t, d, "k", "v") // the journal the names collided with is intact
	reopened, err := sqldict.OpenDB(bg, db, d.Dialect(), sqldict.Options{Table: j})
	must(t, err)
	must(t, reopened.Close())
}
