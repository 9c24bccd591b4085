package mysql_test

import (
	"errors"
	"testing"

	driver "github.com/go-sql-driver/mysql"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/dialects/mysql"
)

// TestClassify_StorageFull: the server's full-disk errors, as the driver
// returns them, are classified ErrStorageFull; other write errors are not.
func TestClassify_StorageFull(t *testing.T) {
	for _, c := range []struct {
		err  *driver.MySQLError
		full bool
	}{
		{&driver.MySQLError{Number: 1114, Message: "The table 'j' is full"}, true},
		{&driver.MySQLError{Number: 1021, Message: "Disk full (/tmp/#sql_1.MAI); waiting for someone to free some space..."}, true},
		{&driver.MySQLError{Number: 3, Message: "Error writing file './test/j.ibd' (Errcode: 28 \"No space left on device\")"}, true},
		{&driver.MySQLError{Number: 1030, Message: "Got error 28 \"No space left on device\" from storage engine InnoDB"}, true},
		{&driver.MySQLError{Number: 1030, Message: "Got error 168 \"Unknown (generic) error from engine\" from storage engine InnoDB"}, false},
		{&driver.MySQLError{Number: 1062, Message: "Duplicate entry"}, false},
	} {
		got := errors.Is((&mysql.Dialect{}).Classify(c.err), dialects.ErrStorageFull)
		if got != c.full {
			t.Errorf("%d %s: storage full %v, want %v", c.err.Number, c.err.Message, got, c.full)
		}
	}
}
