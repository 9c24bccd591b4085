//go:build cgo

package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	gormsqlite "gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/sqldict/sqldict/sqldict"
)

// A gorm program finds the sqlite dialect by its dialector's name through
// the registry the import filled.
func TestOpen_Gorm(t *testing.T) {
	ctx := context.Background()
	gdb, err := gorm.Open(gormsqlite.Open(filepath.Join(t.TempDir(), "g.db")), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	d, err := sqldict.Open(ctx, gdb, sqldict.Options{Table: "g"})
	if err != nil {
		t.Fatalf("Open(gorm sqlite) = %v", err)
	}
	defer d.Close()
	if err := d.Set(ctx, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if v, err := d.Get(ctx, "k"); err != nil || string(v) != "v" {
		t.Fatalf("Get = %q, %v; want v", v, err)
	}
}
