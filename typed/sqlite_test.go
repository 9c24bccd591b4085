package typed_test

import (
	"testing"

	"github.com/sqldict/sqldict/sqldict/sqldicttest"
	"github.com/sqldict/sqldict/typed/typedtest"
)

func TestSQLite_Conformance(t *testing.T) {
	typedtest.Run(t, sqldicttest.OpenSQLite)
}
