package sqldict

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	gormmysql "gorm.io/driver/mysql"
	gormpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// mysqlDialector turns mysql://user:pw@host:3306/db?param=value into a
// go-sql-driver DSN. Query parameters pass through as driver parameters or
// session variables, except that interpolateParams is forced off: the
// dialect's queries bind binary labels and rely on server-side prepared
// statements. parseTime and loc may be anything; the dialect reads and
// writes times as text.
func mysqlDialector(rawURL, _ string) (gorm.Dialector, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%w: mysql URL: %v", ErrInvalidArgument, err)
	}
	db := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || db == "" || strings.Contains(db, "/") {
		return nil, fmt.Errorf("%w: mysql URL %q: want mysql://user:pw@host:port/db", ErrInvalidArgument, u.Redacted())
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "3306")
	}
	// Parse the parameters the driver's way, then set the credentials
	// directly: they may hold characters the DSN syntax reserves.
	cfg, err := gomysql.ParseDSN("tcp(" + host + ")/" + db + "?" + u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: mysql URL %q: %v", ErrInvalidArgument, u.Redacted(), err)
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.InterpolateParams = false
	return gormmysql.New(gormmysql.Config{DSNConfig: cfg, DSN: cfg.FormatDSN()}), nil
}

// postgresDialector hands postgres:// and postgresql:// URLs to pgx as they
// are, once pgx has parsed them: a malformed URL is bad input
// (ErrInvalidArgument), not a failure to connect.
func postgresDialector(rawURL, _ string) (gorm.Dialector, error) {
	if _, err := pgconn.ParseConfig(rawURL); err != nil {
		return nil, fmt.Errorf("%w: postgres URL: %v", ErrInvalidArgument, err)
	}
	return gormpostgres.Open(rawURL), nil
}
