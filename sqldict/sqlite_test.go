package sqldict_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestSQLite_Conformance(t *testing.T) {
	sqldicttest.Run(t, sqldicttest.OpenSQLite)
}

func TestSQLite_Memory_Conformance(t *testing.T) {
	var mu sync.Mutex
	dbs := map[*testing.T]*sqldict.Dict{}
	sqldicttest.Run(t, func(t *testing.T, opts sqldict.Options) *sqldict.Dict {
		// One in-memory database per test: reopening a journal shares the
		// first Dict's pool.
		mu.Lock()
		first, ok := dbs[t]
		mu.Unlock()
		var d *sqldict.Dict
		var err error
		if ok {
			d, err = sqldict.OpenDB(context.Background(), first.DB(), first.Dialect(), opts)
		} else {
			d, err = sqldict.OpenURL(context.Background(), "sqlite::memory:", opts)
			mu.Lock()
			dbs[t] = d
			mu.Unlock()
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	})
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
