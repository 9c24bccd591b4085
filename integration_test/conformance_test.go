package integration_test

import (
	"testing"

	"github.com/sqldict/sqldict/prune/prunetest"
	"github.com/sqldict/sqldict/snapshot/snapshottest"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestConformance(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		sqldicttest.Run(t, e.Opener(""))
	})
}

func TestConformance_Snapshot(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		snapshottest.Run(t, e.Opener(""))
	})
}

func TestConformance_Prune(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		prunetest.Run(t, e.Opener(""))
	})
}

// TestConformance_MySQLSessionQuirks runs the suite on MariaDB with the
// connection settings that break naive time and string handling: times
// parsed into the local zone, a non-UTC session time zone, and a lax SQL
// mode that truncates instead of failing.
func TestConformance_MySQLSessionQuirks(t *testing.T) {
	t.Parallel()
	mariaDB.URL(t)
	sqldicttest.Run(t, mariaDB.Opener("parseTime=true&loc=Local&time_zone=%27-07:00%27&sql_mode=%27%27"))
}
