package postgres_test

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/dialects/postgres"
)

// TestClassify_StorageFull: disk_full (53100) is ErrStorageFull; an
// out-of-memory (53200) is not.
func TestClassify_StorageFull(t *testing.T) {
	d := &postgres.Dialect{}
	full := &pgconn.PgError{Code: "53100", Message: `could not extend file "base/16384/16385": No space left on device`}
	if err := d.Classify(full); !errors.Is(err, dialects.ErrStorageFull) {
		t.Errorf("53100: %v, want ErrStorageFull", err)
	}
	if err := d.Classify(&pgconn.PgError{Code: "53200"}); errors.Is(err, dialects.ErrStorageFull) {
		t.Errorf("53200 classified as storage full")
	}
}
