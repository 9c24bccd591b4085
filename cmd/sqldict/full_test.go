package main

import (
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// TestRemote_StorageFull: a write to a server whose disk is full exits
// with its own code (6), and the journal keeps its value.
func TestRemote_StorageFull(t *testing.T) {
	t.Setenv("SQLDICT_TOKEN", "tok")
	c := serveCLI(t, newCLI(t), sqldicttest.OpenFullSQLite(t, "sqldict", sqldict.Write{Key: "k", Value: []byte("v1")}), "tok write\n")
	c.fails(exitFull, "storage full", strings.Repeat("x", 1<<20), "set", "k", "-")
	if got := c.ok("", "get", "k"); got != "v1" {
		t.Fatalf("get k after the refused write: %q", got)
	}
}
