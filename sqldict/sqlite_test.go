package sqldict_test

import (
	"context"
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

func TestSQLite_Store(t *testing.T) {
	sqldicttest.RunStore(t, func(t *testing.T) sqldict.Store {
		return sqldicttest.NewDict(t, sqldicttest.OpenSQLite, sqldict.Options{})
	})
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
