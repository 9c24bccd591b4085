package integration_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/dialects/mysql"
	"github.com/sqldict/sqldict/dialects/postgres"
	"github.com/sqldict/sqldict/sqldict"
)

// Drop removes a journal and everything it created with the library's
// sqldict.DropDB. A journal that does not exist (never created, or dropped
// by its test) is no error: tests drop before they create, too.
func (e *engine) Drop(t testing.TB, table string) {
	if os.Getenv("SQLDICT_TEST_KEEP") == "1" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := sqldict.DropDB(ctx, e.Admin(t), e.dialect(), table)
	if err != nil && !errors.Is(err, sqldict.ErrNoJournal) {
		t.Errorf("drop journal %s on %s: %v", table, e.name, err)
	}
}

// dialect is the sqldict dialect of the engine.
func (e *engine) dialect() dialects.Dialect {
	if e.name == "postgres" {
		return &postgres.Dialect{}
	}
	return &mysql.Dialect{}
}
