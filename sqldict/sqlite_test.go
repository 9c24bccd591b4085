package sqldict_test

import (
	"context"
	"errors"
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
