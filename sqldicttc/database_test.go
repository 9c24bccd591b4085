package sqldicttc_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// TestDatabase_PerCall: every call gives a database of its own, and it is
// gone when the test that asked for it ends.
func TestDatabase_PerCall(t *testing.T) {
	forEach(t, func(t *testing.T, e entry) {
		ctx := context.Background()
		first := e.url(t)
		var second string
		t.Run("inner", func(t *testing.T) {
			second = e.url(t)
			if second == first {
				t.Fatalf("two calls returned the same database %s", first)
			}
			a := open(t, first, sqldict.Options{Table: "same_name"})
			b := open(t, second, sqldict.Options{Table: "same_name"})
			if err := a.Set(ctx, "k", []byte("in first")); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Get(ctx, "k"); !errors.Is(err, sqldict.ErrNotFound) {
				t.Fatalf("second database sees the first's key: got %v, want ErrNotFound", err)
			}
		})
		// inner ended: its database was dropped, the outer one is intact.
		octx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if d, err := sqldict.OpenURL(octx, second, sqldict.Options{Table: "same_name"}); err == nil {
			d.Close()
			t.Fatalf("database %s still opens after its test ended", second)
		}
		a := open(t, first, sqldict.Options{Table: "same_name"})
		if v, err := a.Get(ctx, "k"); err != nil || string(v) != "in first" {
			t.Fatalf("first database after the inner test: got %q, %v; want \"in first\"", v, err)
		}
	})
}
