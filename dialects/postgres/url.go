package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sqldict/sqldict/dialects"
)

func init() {
	for _, scheme := range []string{"postgres", "postgresql"} {
		dialects.Register(scheme, dialects.Driver{Dialect: &Dialect{}, Open: open})
	}
}

// open hands postgres:// and postgresql:// URLs to pgx's database/sql
// adapter as they are, once pgx has parsed them: a malformed URL is bad
// input (dialects.ErrInvalidURL), not a failure to connect.
func open(_ context.Context, rawURL string, _ bool) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: postgres URL: %v", dialects.ErrInvalidURL, err)
	}
	return stdlib.OpenDB(*cfg), nil
}
