package integration_test

import (
	"context"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestConcurrent_FirstOpen opens a journal that does not exist yet from
// several Dicts at once, as processes starting together do: every open
// succeeds and the schema is created once.
func TestConcurrent_FirstOpen(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		table := sqldicttest.UniqueTable()
		dropped.Store(table, true)
		t.Cleanup(func() { e.Drop(t, table) })
		url := e.URL(t)
		dicts, err := sqldicttest.OpenTogether(8, func() (*sqldict.Dict, error) {
			return sqldict.OpenURL(ctx, url, sqldict.Options{Table: table})
		})
		for _, d := range dicts {
			t.Cleanup(func() { d.Close() })
		}
		if err != nil {
			t.Fatalf("concurrent first open: %v", err)
		}
		for i, d := range dicts {
			if err := d.Set(ctx, "k", []byte{byte('a' + i)}); err != nil {
				t.Fatal(err)
			}
		}
		sqldicttest.CheckInvariants(t, dicts[0])
	})
}
