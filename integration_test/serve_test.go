package integration_test

import (
	"testing"

	"github.com/sqldict/sqldict/server/servetest"
	"github.com/sqldict/sqldict/snapshot/snapshottest"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestServe_Conformance: package client talking to a real "sqldict serve"
// process passes the Store conformance suite on MariaDB and PostgreSQL, as
// a local Dict does.
func TestServe_Conformance(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		sqldicttest.RunStore(t, func(t *testing.T) sqldicttest.Journal {
			return servetest.Store(t, e.URL(t), e.Drop)
		})
	})
}

// TestServe_SnapshotConformance: snapshot.At, AsOf, Head and Diff through
// a client of a real "sqldict serve" on MariaDB and PostgreSQL give the
// answers they give on a Dict.
func TestServe_SnapshotConformance(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		snapshottest.RunStore(t, func(t *testing.T) sqldicttest.Journal {
			return servetest.Store(t, e.URL(t), e.Drop)
		})
	})
}

// TestServe_CASRace: 16 clients racing compare-and-set through a real
// "sqldict serve" on MariaDB and PostgreSQL (servetest.CASRace).
func TestServe_CASRace(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		table := sqldicttest.UniqueTable()
		t.Cleanup(func() { e.Drop(t, table) })
		servetest.CASRace(t, e.URL(t), table)
	})
}

// TestServe_SIGTERMDuringWrites: SIGTERM during 64 clients' commits on
// MariaDB and PostgreSQL (servetest.SIGTERMDuringWrites).
func TestServe_SIGTERMDuringWrites(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		table := sqldicttest.UniqueTable()
		t.Cleanup(func() { e.Drop(t, table) })
		servetest.SIGTERMDuringWrites(t, e.URL(t), table)
	})
}
