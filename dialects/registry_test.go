package dialects_test

import (
	"strings"
	"testing"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/dialects/sqlite"
)

func TestRegister_Lookup(t *testing.T) {
	drv, ok := dialects.Lookup("SQLite")
	if !ok || drv.Dialect.Name() != "sqlite" {
		t.Fatalf("Lookup(SQLite) = %v, %v; want the sqlite dialect the import registered", drv.Dialect, ok)
	}
	if _, ok := dialects.Lookup("postgres"); ok {
		t.Fatal("Lookup(postgres) found a driver this test binary never imported")
	}
	if got := dialects.ImportFor("PostgreSQL"); got != "github.com/sqldict/sqldict/dialects/postgres" {
		t.Errorf("ImportFor(PostgreSQL) = %q", got)
	}
	dialects.Register("layertest", drv)
	if _, ok := dialects.Lookup("LayerTest"); !ok {
		t.Error("Lookup(LayerTest) after Register(layertest) found nothing")
	}
	if got := strings.Join(dialects.Schemes(), ","); got != "layertest,sqlite" {
		t.Errorf("Schemes() = %s, want layertest,sqlite", got)
	}
}

func TestRegister_Panics(t *testing.T) {
	drv, _ := dialects.Lookup("sqlite")
	for name, reg := range map[string]func(){
		"duplicate":  func() { dialects.Register("sqlite", drv) },
		"nil open":   func() { dialects.Register("nilopen", dialects.Driver{Dialect: &sqlite.Dialect{}}) },
		"nil":        func() { dialects.Register("nildialect", dialects.Driver{Open: drv.Open}) },
		"upper case": func() { dialects.Register("SQLite2", drv) },
		"empty":      func() { dialects.Register("", drv) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("Register did not panic")
				}
			}()
			reg()
		})
	}
}
