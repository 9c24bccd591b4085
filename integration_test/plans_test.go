package integration_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/sqldict"
)

// planKeys is the number of keys of the plan journals; every tenth key's
// newest row is a tombstone.
const planKeys = 10000

// TestPlans prints the plans of the hot queries on a journal of 10 000 keys
// × 100 versions and the time of the listing calls at depth 1 and 100. It
// writes a million rows per engine, so it runs only when
// SQLDICT_TEST_PLANS=1:
//
//	SQLDICT_TEST_PLANS=1 go test -run TestPlans -v ./...
//
// The listings must cost the same at both depths (O(keys · log rows)); the
// test fails when a head read at depth 100 is more than 10 times slower than
// at depth 1 (a plan that walks history would be about 100 times slower,
// while one seek per key only pays for a deeper, less cached B-tree), or
// when a snapshot 50 versions back costs more than 3 times one 1 version
// back on the same journal.
func TestPlans(t *testing.T) {
	if os.Getenv("SQLDICT_TEST_PLANS") != "1" {
		t.Skip("writes a million rows; set SQLDICT_TEST_PLANS=1 to run")
	}
	forEngine(t, func(t *testing.T, e *engine) {
		ctx := context.Background()
		timings := map[int]map[string]time.Duration{}
		for _, depth := range []int{1, 100} {
			d := e.Open(t, "", sqldict.Options{})
			fill(t, e, d, depth)
			timings[depth] = timeListings(t, d, depth)
			if depth == 100 {
				explainAll(t, ctx, e, d)
			}
		}
		for name, d1 := range timings[1] {
			d100 := timings[100][name]
			t.Logf("%-32s depth 1: %10v  depth 100: %10v  ratio %.2f", name, d1, d100, float64(d100)/float64(d1))
			if d100 > 10*d1 && d100 > 5*time.Millisecond && !strings.HasPrefix(name, "Snapshot.") {
				t.Errorf("%s: %v at depth 100 against %v at depth 1: the plan scans history", name, d100, d1)
			}
		}
		// Snapshots on the same 100-deep journal: 50 versions written after
		// the point must cost what one does, or the plan walks them. (At
		// depth 1 "one version back" is the empty journal: no comparison.)
		for _, what := range []string{"Keys", "Len"} {
			one, fifty := timings[100]["Snapshot."+what+" (1 version back)"], timings[100]["Snapshot."+what+" (half depth)"]
			t.Logf("Snapshot.%s on 100 versions: 1 version back %v, 50 versions back %v, ratio %.2f", what, one, fifty, float64(fifty)/float64(one))
			if fifty > 3*one && fifty > 5*time.Millisecond {
				t.Errorf("Snapshot.%s: %v with 50 versions after the point against %v with one: the plan walks history", what, fifty, one)
			}
		}
	})
}

// fill writes planKeys keys × depth versions straight into the journal and
// sets the meta row, far faster than committing them one by one.
func fill(t *testing.T, e *engine, d *sqldict.Dict, depth int) {
	t.Helper()
	ctx := context.Background()
	conn, err := d.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	n := int64(planKeys * depth)
	var stmts []string
	switch e.name {
	case "mariadb":
		stmts = []string{
			`SET SESSION max_recursive_iterations = 4294967295`,
			fmt.Sprintf(`INSERT INTO %[1]s (sequence_number, label, item, is_deleted, created, version, author, comment) `+
				`WITH RECURSIVE n (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %[2]d), `+
				`v (j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM v WHERE j < %[3]d) `+
				`SELECT (v.j - 1) * %[4]d + n.i + 1, CONCAT('key/', LPAD(n.i, 5, '0')), `+
				`IF(v.j = %[3]d AND n.i %% 10 = 0, NULL, 'value'), v.j = %[3]d AND n.i %% 10 = 0, `+
				`TIMESTAMP'2026-01-01 00:00:00' + INTERVAL ((v.j - 1) * %[4]d + n.i) MICROSECOND, v.j, '', '' FROM v, n`,
				d.Table(), planKeys-1, depth, planKeys),
			fmt.Sprintf(`UPDATE %s SET last_seq = %d, last_created = TIMESTAMP'2026-01-01 00:00:00' + INTERVAL %d MICROSECOND WHERE id = 1`,
				dialects.MetaTable(d.Table()), n, n-1),
			headFill(d.Table()),
			`ANALYZE TABLE ` + d.Table() + `, ` + dialects.HeadTable(d.Table()),
		}
	case "postgres":
		stmts = []string{
			fmt.Sprintf(`INSERT INTO %[1]s (sequence_number, label, item, is_deleted, created, version, author, comment) `+
				`SELECT (v - 1) * %[4]d + i + 1, 'key/' || lpad(i::text, 5, '0'), `+
				`CASE WHEN v = %[3]d AND i %% 10 = 0 THEN NULL ELSE 'value'::bytea END, v = %[3]d AND i %% 10 = 0, `+
				`TIMESTAMPTZ '2026-01-01 00:00:00Z' + ((v - 1) * %[4]d + i) * INTERVAL '1 microsecond', v, '', '' `+
				`FROM generate_series(1, %[3]d) v, generate_series(0, %[2]d) i`,
				d.Table(), planKeys-1, depth, planKeys),
			fmt.Sprintf(`UPDATE %s SET last_seq = %d, last_created = TIMESTAMPTZ '2026-01-01 00:00:00Z' + %d * INTERVAL '1 microsecond' WHERE id = 1`,
				dialects.MetaTable(d.Table()), n, n-1),
			headFill(d.Table()),
			`VACUUM ANALYZE ` + d.Table(),
			`VACUUM ANALYZE ` + dialects.HeadTable(d.Table()),
		}
	}
	start := time.Now()
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("fill: %v\n%s", err, s)
		}
	}
	t.Logf("filled %d keys × %d versions in %v", planKeys, depth, time.Since(start).Round(time.Millisecond))
}

// headFill points the head table at each key's newest row, as writers do.
func headFill(table string) string {
	return fmt.Sprintf(`INSERT INTO %s (label, sequence_number, version, is_deleted) `+
		`SELECT j.label, j.sequence_number, j.version, j.is_deleted FROM %s j `+
		`JOIN (SELECT label, MAX(sequence_number) AS s FROM %[2]s GROUP BY label) m ON j.sequence_number = m.s`,
		dialects.HeadTable(table), table)
}

// timeListings times each call, best of a few runs.
func timeListings(t *testing.T, d *sqldict.Dict, depth int) map[string]time.Duration {
	t.Helper()
	ctx := context.Background()
	n := int64(planKeys * depth)
	snap, err := d.Snapshot(ctx, n-planKeys+1) // every key but the first written once since
	if err != nil {
		t.Fatal(err)
	}
	mid, err := d.Snapshot(ctx, n-planKeys/2)
	if err != nil {
		t.Fatal(err)
	}
	half, err := d.Snapshot(ctx, max(n/2, 1)) // every key rewritten since, depth/2 times
	if err != nil {
		t.Fatal(err)
	}
	live := planKeys - planKeys/10
	calls := []struct {
		name string
		want int
		fn   func() (int, error)
	}{
		{"Keys", live, func() (int, error) { k, err := d.Keys(ctx); return len(k), err }},
		{"Len", live, func() (int, error) { return d.Len(ctx) }},
		{"KeysIn limit 100", 100, func() (int, error) {
			k, err := d.KeysIn(ctx, sqldict.Range{After: "key/05000", Limit: 100})
			return len(k), err
		}},
		{"AllIn limit 100", 100, func() (int, error) {
			c := 0
			for _, err := range d.AllIn(ctx, sqldict.Range{After: "key/05000", Limit: 100}) {
				if err != nil {
					return c, err
				}
				c++
			}
			return c, nil
		}},
		{"Snapshot.Len (1 version back)", -1, func() (int, error) { return snap.Len(ctx) }},
		{"Snapshot.Keys (1 version back)", -1, func() (int, error) { k, err := snap.Keys(ctx); return len(k), err }},
		{"Snapshot.Keys (half depth)", -1, func() (int, error) { k, err := half.Keys(ctx); return len(k), err }},
		{"Snapshot.Len (half depth)", -1, func() (int, error) { return half.Len(ctx) }},
		{"Get", 1, func() (int, error) { _, err := d.Get(ctx, "key/04321"); return 1, err }},
		{"Snapshot.Get", 1, func() (int, error) { _, err := mid.Get(ctx, "key/04321"); return 1, err }},
	}
	out := map[string]time.Duration{}
	for _, c := range calls {
		best := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			got, err := c.fn()
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if c.want >= 0 && got != c.want {
				t.Fatalf("%s at depth %d: got %d, want %d", c.name, depth, got, c.want)
			}
			best = min(best, time.Since(start))
		}
		out[c.name] = best
	}
	return out
}

// explainAll prints the measured plan of each hot query.
func explainAll(t *testing.T, ctx context.Context, e *engine, d *sqldict.Dict) {
	t.Helper()
	q := d.Dialect().Queries(d.Table())
	n := int64(planKeys * 100)
	maxKey := strings.Repeat("\U0010FFFF", 64)
	for _, x := range []struct {
		name string
		text string
		args []any
	}{
		{"KeysAt (head, no limit)", q.KeysAt, []any{"", maxKey, "", n, int64(1) << 62}},
		{"KeysAt (page of 100)", q.KeysAt, []any{"", maxKey, "key/05000", n, 100}},
		{"CountAt (half depth)", q.CountAt, []any{"", maxKey, "", n / 2}},
		{"HeadKeys (page of 100)", q.HeadKeys, []any{"", maxKey, "key/05000", 100}},
		{"EntriesAt (page of 100)", q.EntriesAt, []any{"", maxKey, "key/05000", n, 100}},
		{"Latest", q.Latest, []any{"key/04321"}},
		{"LatestAt", q.LatestAt, []any{"key/04321", n / 2}},
	} {
		plan, err := explain(ctx, e, d.DB(), x.text, x.args)
		if err != nil {
			t.Fatalf("explain %s: %v", x.name, err)
		}
		t.Logf("%s:\n%s", x.name, plan)
	}
}

var mariaPrefix = regexp.MustCompile(`^/\*M!\d+ (SET STATEMENT [^*]*) FOR \*/ `)

func explain(ctx context.Context, e *engine, db *sql.DB, text string, args []any) (string, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	var query string
	switch e.name {
	case "mariadb":
		// ANALYZE runs the statement and reports rows read per step
		// (r_rows); it takes literals, not parameters.
		if m := mariaPrefix.FindStringSubmatch(text); m != nil {
			text = strings.TrimPrefix(text, m[0])
			if _, err := conn.ExecContext(ctx, "SET SESSION max_recursive_iterations = 4294967295"); err != nil {
				return "", err
			}
		}
		for _, a := range args {
			lit := fmt.Sprint(a)
			if s, ok := a.(string); ok {
				lit = "'" + s + "'"
			}
			text = strings.Replace(text, "?", lit, 1)
		}
		query = "ANALYZE " + text
	case "postgres":
		types := make([]string, len(args))
		for i, a := range args {
			types[i] = "bigint"
			if _, ok := a.(string); ok {
				types[i] = "varchar"
			}
		}
		if _, err := conn.ExecContext(ctx, "PREPARE plan_q ("+strings.Join(types, ", ")+") AS "+text); err != nil {
			return "", err
		}
		lits := make([]string, len(args))
		for i, a := range args {
			lits[i] = fmt.Sprint(a)
			if s, ok := a.(string); ok {
				lits[i] = "'" + s + "'"
			}
		}
		query = "EXPLAIN (ANALYZE, COSTS OFF, BUFFERS) EXECUTE plan_q (" + strings.Join(lits, ", ") + ")"
		defer conn.ExecContext(context.WithoutCancel(ctx), "DEALLOCATE plan_q")
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return "", fmt.Errorf("%w\n%s", err, query)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if len(cols) > 1 {
		b.WriteString(strings.Join(cols, "\t") + "\n")
	}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		line := make([]string, len(vals))
		for i, v := range vals {
			line[i] = v.String
			if !v.Valid {
				line[i] = "NULL"
			}
		}
		b.WriteString(strings.Join(line, "\t") + "\n")
	}
	return b.String(), rows.Err()
}
