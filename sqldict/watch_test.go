package sqldict_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

func TestSQLite_WatchProcesses(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "watch.db")
	d, err := sqldict.OpenURL(context.Background(), url, sqldict.Options{Table: "watched"})
	sqldicttest.Must(t, err)
	t.Cleanup(func() { d.Close() })
	sqldicttest.RunWatchProcesses(t, url, d)
	sqldicttest.CheckInvariants(t, d)
}
