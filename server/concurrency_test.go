package server_test

import (
	"testing"

	"github.com/sqldict/sqldict/server/servetest"
)

// TestServe_CASRace: see servetest.CASRace (the integration module runs it
// on MariaDB and PostgreSQL).
func TestServe_CASRace(t *testing.T) { servetest.CASRace(t, sqliteURL(t), "") }

// TestServe_SIGTERMDuringWrites: see servetest.SIGTERMDuringWrites.
func TestServe_SIGTERMDuringWrites(t *testing.T) {
	servetest.SIGTERMDuringWrites(t, sqliteURL(t), "")
}
