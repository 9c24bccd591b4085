package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/sqldict/sqldict/dialects"
)

func init() {
	dialects.Register("mysql", dialects.Driver{Dialect: &Dialect{}, Open: open})
}

// open opens mysql://user:pw@host:3306/db?param=value with go-sql-driver.
// Query parameters pass through as driver parameters or session variables,
// except that interpolateParams is forced off: the dialect's queries bind
// binary labels and rely on server-side prepared statements. parseTime and
// loc may be anything; the dialect reads and writes times as text.
func open(_ context.Context, rawURL string, _ bool) (*sql.DB, error) {
	cfg, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: mysql URL: %v", dialects.ErrInvalidURL, err)
	}
	return sql.OpenDB(conn), nil
}

// parseURL turns a mysql:// URL into a go-sql-driver configuration. Errors
// never quote the password.
func parseURL(rawURL string) (*mysql.Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: mysql URL: %v", dialects.ErrInvalidURL, err)
	}
	db := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || db == "" || strings.Contains(db, "/") {
		return nil, fmt.Errorf("%w: mysql URL %q: want mysql://user:pw@host:port/db", dialects.ErrInvalidURL, u.Redacted())
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "3306")
	}
	// Parse the parameters the driver's way, then set the credentials
	// directly: they may hold characters the DSN syntax reserves.
	cfg, err := mysql.ParseDSN("tcp(" + host + ")/" + db + "?" + u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: mysql URL %q: %v", dialects.ErrInvalidURL, u.Redacted(), err)
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.InterpolateParams = false
	return cfg, nil
}
