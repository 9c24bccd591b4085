package integration_test

import (
	"testing"

	"github.com/sqldict/sqldict/server/servetest"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestServe_Conformance: package client talking to a real "sqldict serve"
// process passes the Store conformance suite on MariaDB and PostgreSQL, as
// a local Dict does.
func TestServe_Conformance(t *testing.T) {
	t.Cleanup(servetest.Cleanup)
	forEngine(t, func(t *testing.T, e *engine) {
		sqldicttest.RunStore(t, func(t *testing.T) sqldict.Store {
			return servetest.Store(t, e.URL(t), e.Drop)
		})
	})
}
