package server_test

import (
	"testing"

	"github.com/sqldict/sqldict/server/servetest"
	"github.com/sqldict/sqldict/snapshot/snapshottest"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestServe_StoreConformance: a client talking to a real serve process
// passes the Store conformance suite, as a local Dict does. The
// integration module runs the same on MariaDB and PostgreSQL.
func TestServe_StoreConformance(t *testing.T) {
	sqldicttest.RunStore(t, func(t *testing.T) sqldicttest.Journal { return servetest.Store(t, sqliteURL(t), nil) })
}

// TestServe_SnapshotConformance: snapshot.At, AsOf, Head and Diff through a
// client of a real serve process give the answers they give on a Dict.
func TestServe_SnapshotConformance(t *testing.T) {
	snapshottest.RunStore(t, func(t *testing.T) sqldicttest.Journal { return servetest.Store(t, sqliteURL(t), nil) })
}
