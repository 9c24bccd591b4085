//go:build !cgo

package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sqldict/sqldict/dialects/sqlite"
	"github.com/sqldict/sqldict/sqldict"
)

// Built with CGO_ENABLED=0 the package compiles and an sqlite: URL fails
// at open with ErrNoCgo, creating nothing (`make layers` runs this).
func TestOpenURL_NoCgo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	_, err := sqldict.OpenURL(context.Background(), "sqlite:"+path, sqldict.Options{Table: "t"})
	if !errors.Is(err, sqlite.ErrNoCgo) || !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("OpenURL(sqlite:) without cgo = %v, want ErrNoCgo", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the failed open left %s behind: %v", path, err)
	}
}
