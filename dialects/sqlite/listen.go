package sqlite

import (
	"context"
	"database/sql"
	"time"
)

// DataVersionInterval is how often a watching process asks SQLite whether
// another connection committed. PRAGMA data_version reads a counter in the
// shared WAL index without touching the database file, so checking often
// costs microseconds of CPU and no I/O.
const DataVersionInterval = 2 * time.Millisecond

// Listen implements dialects.Listener with PRAGMA data_version, which
// changes on conn whenever any other connection (of this process or another)
// commits to the file. It must be asked on one fixed connection, which is why
// the core dedicates conn to it. A commit to another journal in the same file
// also changes it; the core's meta-row read that follows tells them apart.
func (*Dialect) Listen(ctx context.Context, conn *sql.Conn, _ string) (func(ctx context.Context) error, error) {
	var last int64
	if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&last); err != nil {
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
			if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
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
