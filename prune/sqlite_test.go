package prune_test

import (
	"testing"

	"github.com/sqldict/sqldict/prune/prunetest"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestSQLite_Prune(t *testing.T) {
	prunetest.Run(t, sqldicttest.OpenSQLite)
}

func TestSQLite_Memory_Prune(t *testing.T) {
	prunetest.Run(t, sqldicttest.OpenSQLiteMemory)
}
