package mirror_test

import (
	"testing"

	"github.com/sqldict/sqldict/mirror/mirrortest"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestSQLite_Conformance(t *testing.T) {
	mirrortest.Run(t, sqldicttest.OpenSQLite)
}

func TestSQLite_Memory_Conformance(t *testing.T) {
	mirrortest.Run(t, sqldicttest.OpenSQLiteMemory)
}
