package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/sqldict/sqldict/internal/watchstat"
)

// DataVersionInterval is how often a watching process asks SQLite whether
// another connection committed. PRAGMA data_version reads a counter in the
// shared WAL index without touching the database file, so checking often
// costs microseconds of CPU and no I/O.
const DataVersionInterval = 4 * time.Millisecond

// Listen implements dialects.Listener with PRAGMA data_version, which
// changes on conn whenever any other connection (of this process or another)
// commits to the file. It must be asked on one fixed connection, which is why
// the core dedicates conn to it. A commit to another journal in the same file
// also changes it; the core's meta-row read that follows tells them apart.
func (*Dialect) Listen(ctx context.Context, conn *sql.Conn, _ string) (func(ctx context.Context) error, error) {
	// Prepared once: parsing the pragma on every check would cost more
	// than running it.
	stmt, err := conn.PrepareContext(ctx, "PRAGMA data_version")
	if err != nil {
		return nil, err
	}
	var last int64
	if err := stmt.QueryRowContext(ctx).Scan(&last); err != nil {
		stmt.Close()
		return nil, err
	}
	wait := func(ctx context.Context) error {
		tick := time.NewTicker(DataVersionInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-tick.C:
			}
			var v int64
			watchstat.Queries.Add(1)
			if err := stmt.QueryRowContext(ctx).Scan(&v); err != nil {
				stmt.Close()
				return err
			}
			if v != last {
				last = v
				return nil
			}
		}
	}
	return wait, nil
}
