package integration_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/dialects/postgres"
	"github.com/sqldict/sqldict/sqldict"
)

// TestHeadReadPlan_Postgres pins the plan of the head read a commit of many
// keys makes (CurrentAny) to one index seek per key. The IN list it
// replaced was planned as a sequential scan of the head table filtered by
// the list once the list was long and the table not yet analysed (a
// growing journal's usual state): 20–70 ms a read on 45 000 keys against
// 3 ms by index, so group commits of 16 × 100 writes slowed down as the
// head grew (issue 10). The head here is filled and never analysed, the
// planner's worst case, and both the custom plan (first executions of a
// prepared statement) and the generic one (later executions) must seek.
func TestHeadReadPlan_Postgres(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d := postgreSQL.Open(t, "", sqldict.Options{})
	head := dialects.HeadTable(d.Table())
	conn, err := d.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s (label, sequence_number, version, is_deleted) `+
		`SELECT 'k/' || lpad(g::text, 6, '0'), g, 1, false FROM generate_series(1, 50000) g`, head)); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 256)
	for i := range keys {
		keys[i] = fmt.Sprintf("'k/%06d'", 1+i*97)
	}
	q := (&postgres.Dialect{}).Queries(d.Table()).CurrentAny
	plans := preparedPlans(t, ctx, conn, "(text[])", q, "(ARRAY["+strings.Join(keys, ",")+"])")
	for mode, text := range plans {
		if strings.Contains(text, "Seq Scan") || !strings.Contains(text, "Index Scan using "+head+"_pkey") {
			t.Errorf("%s: the head read does not seek each key by index:\n%s", mode, text)
		}
	}

	// The same statement, through a commit, reads what the head says.
	writes := make([]sqldict.Write, 300)
	for i := range writes {
		writes[i] = sqldict.Write{Key: fmt.Sprintf("k/%06d", 1+i*97), Value: []byte("v"), IfVersion: sqldict.Expect(1)}
	}
	es, err := d.Commit(ctx, writes...)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Version != 2 {
			t.Fatalf("%s: version %d after a head row at version 1, want 2", e.Key, e.Version)
		}
	}
}

// preparedPlans prepares text on conn with the parameter types given, and
// returns the plan EXPLAIN EXECUTE shows for the arguments given under each
// plan cache mode: the custom plan PostgreSQL makes for a prepared
// statement's first executions, and the generic one it may keep using
// after five. The connection is left as it was.
func preparedPlans(t *testing.T, ctx context.Context, conn *sql.Conn, types, text, args string) map[string]string {
	t.Helper()
	if _, err := conn.ExecContext(ctx, "PREPARE plan_q "+types+" AS "+text); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "DEALLOCATE plan_q")
	defer conn.ExecContext(context.WithoutCancel(ctx), "RESET plan_cache_mode")
	plans := map[string]string{}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := conn.ExecContext(ctx, "SET plan_cache_mode = "+mode); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.QueryContext(ctx, "EXPLAIN EXECUTE plan_q "+args)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		plans[mode] = strings.Join(plan, "\n")
	}
	return plans
}
