package dialects

import (
	"context"
	"database/sql"
)

// Listener is implemented by dialects whose engine can tell a process that
// another connection committed to a journal, faster than the core's poll of
// the meta row (PostgreSQL: LISTEN/NOTIFY; SQLite: PRAGMA data_version).
// Engines without such a signal (MySQL, MariaDB) leave it out and watchers
// rely on the poll alone.
//
// A signal only says "look again": the core reads the meta row after each
// one, so a spurious signal costs one query and a lost one is caught by the
// next poll. Exactness never depends on the signal.
type Listener interface {
	// Listen prepares conn, a connection the core dedicates to listening
	// for the journal named table, and returns wait, which blocks until a
	// commit by any other connection may have happened since the previous
	// call (or since Listen, for the first), until ctx ends (returning
	// ctx's error), or until the connection fails (returning that error;
	// the core then discards conn and calls Listen again on a new one).
	// wait is called from one goroutine at a time.
	Listen(ctx context.Context, conn *sql.Conn, table string) (wait func(ctx context.Context) error, err error)
}

// NotifyChannel is the PostgreSQL notification channel of the journal named
// table: commits to it notify that channel inside their transaction (the
// journal's commit function, migrations/postgres/4_commit_function, names it
// too).
func NotifyChannel(table string) string { return "sqldict_" + table }
