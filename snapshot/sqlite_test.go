package snapshot_test

import (
	"testing"

	"github.com/sqldict/sqldict/snapshot/snapshottest"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestSQLite_Snapshot(t *testing.T) {
	snapshottest.Run(t, sqldicttest.OpenSQLite)
}
