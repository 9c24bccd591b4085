package integration_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects/postgres"
	"github.com/sqldict/sqldict/sqldict"
)

// TestEarlyPlan_Postgres pins the listing at an early point (KeysEarly,
// CountEarly: every row up to the point, the newest per label kept) to an
// index-only scan of the primary key, which schema 5 makes cover label and
// is_deleted: a heap fetch per row was a third of the time of Snapshot.Keys
// at an old point (issue 10). The journal is vacuumed, as autovacuum leaves
// an insert-only table, so that its pages are all-visible; both the custom
// plan (first executions of a prepared statement) and the generic one
// (later executions) must scan the key range in the index alone.
func TestEarlyPlan_Postgres(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := postgreSQL.Open(t, "", sqldict.Options{})
	// 1000 keys, then a tenth of them deleted (the point, sequence 1100),
	// then the other 900 rewritten 8 times: the core lists at the point
	// with the early plan (1100 rows up to it, 900 live keys, 7200 after).
	const keys, point = 1000, 1100
	commit := func(ws []sqldict.Write) {
		t.Helper()
		if _, err := d.Commit(ctx, ws...); err != nil {
			t.Fatal(err)
		}
	}
	var first, deletes, rest []sqldict.Write
	for i := range keys {
		k := fmt.Sprintf("k/%04d", i)
		first = append(first, sqldict.Write{Key: k, Value: []byte("v")})
		if i%10 == 1 {
			deletes = append(deletes, sqldict.Write{Key: k, Delete: true})
		} else {
			rest = append(rest, sqldict.Write{Key: k, Value: []byte("w")})
		}
	}
	commit(first)
	commit(deletes)
	for range 8 {
		commit(rest)
	}
	conn, err := d.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM (ANALYZE) "+d.Table()); err != nil {
		t.Fatal(err)
	}
	q := (&postgres.Dialect{}).Queries(d.Table())
	scan := "Index Only Scan using " + d.Table() + "_pkey"
	for _, x := range []struct{ name, types, text, args string }{
		{"KeysEarly", "(text, text, text, bigint, bigint)", q.KeysEarly, "('', '~', '', 1100, 9223372036854775807)"},
		{"CountEarly", "(text, text, text, bigint)", q.CountEarly, "('', '~', '', 1100)"},
	} {
		for mode, text := range preparedPlans(t, ctx, conn, x.types, x.text, x.args) {
			if !strings.Contains(text, scan) {
				t.Errorf("%s, %s: not an index-only scan of the primary key:\n%s", x.name, mode, text)
			}
		}
	}

	// The plan's answer at the point.
	v, err := d.Snapshot(ctx, point)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != keys-keys/10 || got[0] != "k/0000" || got[1] != "k/0002" {
		t.Fatalf("Keys at sequence %d: %d keys beginning %q, want %d without k/…1", point, len(got), got[:min(2, len(got))], keys-keys/10)
	}
	if n, err := v.Len(ctx); err != nil || n != keys-keys/10 {
		t.Fatalf("Len at sequence %d = %d, %v, want %d", point, n, err, keys-keys/10)
	}
}
