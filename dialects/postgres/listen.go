package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sqldict/sqldict/dialects"
)

// Listen implements dialects.Listener with LISTEN on the journal's channel
// (dialects.NotifyChannel). Every commit to the journal notifies it inside
// the committing transaction (see Queries' Advance), so the notification is
// delivered exactly when the commit is visible, and never for a commit that
// rolled back. conn must come from pgx's database/sql driver
// (github.com/jackc/pgx/v5/stdlib), which gorm.io/driver/postgres and
// OpenURL use.
func (*Dialect) Listen(ctx context.Context, conn *sql.Conn, table string) (func(ctx context.Context) error, error) {
	if _, err := conn.ExecContext(ctx, `LISTEN "`+dialects.NotifyChannel(table)+`"`); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	wait := func(ctx context.Context) error {
		return conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("listen: driver connection %T is not pgx's", dc)
			}
			_, err := c.Conn().WaitForNotification(ctx)
			return err
		})
	}
	return wait, nil
}
