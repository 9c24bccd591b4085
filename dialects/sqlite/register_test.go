package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	gormpostgres "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	_ "github.com/sqldict/sqldict/dialects/sqlite"
	"github.com/sqldict/sqldict/sqldict"
)

// This test binary registers sqlite only: other schemes must fail with a
// typed error naming the import that registers them.
func TestOpenURL_UnknownScheme(t *testing.T) {
	ctx := context.Background()
	for url, want := range map[string]string{
		"postgres://u:secret@127.0.0.1:1/db": `import _ "github.com/sqldict/sqldict/dialects/postgres"`,
		"postgresql://127.0.0.1:1/db":        `import _ "github.com/sqldict/sqldict/dialects/postgres"`,
		"MySQL://root@127.0.0.1:1/test":      `import _ "github.com/sqldict/sqldict/dialects/mysql"`,
		"oracle://x":                         "registered: sqlite",
	} {
		_, err := sqldict.OpenURL(ctx, url, sqldict.Options{Table: "t"})
		if !errors.Is(err, sqldict.ErrUnknownScheme) || !errors.Is(err, sqldict.ErrInvalidArgument) {
			t.Errorf("OpenURL(%s) = %v, want ErrUnknownScheme and ErrInvalidArgument", url, err)
			continue
		}
		if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("OpenURL(%s) error %q: want it to say %s, without the password", url, err, want)
		}
	}
}

// A gorm program on PostgreSQL that forgot the sqldict dialect's import is
// told which one to add; Open never connects to find out.
func TestOpen_GormUnregistered(t *testing.T) {
	gdb, err := gorm.Open(gormpostgres.Open("postgres://postgres@127.0.0.1:1/test"),
		&gorm.Config{Logger: logger.Discard, DisableAutomaticPing: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqldict.Open(context.Background(), gdb, sqldict.Options{Table: "t"})
	want := `import _ "github.com/sqldict/sqldict/dialects/postgres"`
	if !errors.Is(err, sqldict.ErrUnknownScheme) || !strings.Contains(fmt.Sprint(err), want) {
		t.Fatalf("Open(gorm postgres) = %v, want ErrUnknownScheme naming %s", err, want)
	}
}
