package server_test

import (
	"os"
	"testing"

	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
)

// engines are the databases the black-box tests serve: SQLite always,
// MariaDB and PostgreSQL when their DSN is in the environment (the
// integration module's variables).
func engines(t *testing.T) map[string]func(t *testing.T) string {
	out := map[string]func(t *testing.T) string{"sqlite": sqliteURL}
	for name, env := range map[string]string{"mariadb": "SQLDICT_TEST_MYSQL_DSN", "postgres": "SQLDICT_TEST_POSTGRES_DSN"} {
		dsn := os.Getenv(env)
		out[name] = func(t *testing.T) string {
			if dsn == "" {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s is not set: in CI the %s tests must run", env, name)
				}
				t.Skipf("%s is not set: not testing sqldict serve on %s", env, name)
			}
			return dsn
		}
	}
	return out
}

// remoteStore serves a fresh journal on db with the real binary and
// returns a client of it; the journal's invariants are checked at the end.
func remoteStore(t *testing.T, db string) *client.Client {
	table := sqldicttest.UniqueTable()
	p := serve(t, db, "--table", table)
	d := p.dict(table)
	t.Cleanup(func() {
		sqldicttest.CheckInvariants(t, d)
		dropTable(t, d)
	})
	c, err := client.New(p.URL, client.Options{Table: table})
	sqldicttest.Must(t, err)
	return c
}

// dropTable removes a test's journal from a shared server database.
func dropTable(t *testing.T, d *sqldict.Dict) {
	if d.Dialect().Name() == "sqlite" {
		return
	}
	for _, suffix := range []string{"", "_head", "_meta", "_migrations"} {
		if _, err := d.DB().ExecContext(t.Context(), "DROP TABLE IF EXISTS "+d.Table()+suffix); err != nil {
			t.Logf("drop %s%s: %v", d.Table(), suffix, err)
		}
	}
}

// TestServe_StoreConformance: a client talking to a real serve process
// passes the Store conformance suite, as a local Dict does.
func TestServe_StoreConformance(t *testing.T) {
	for name, db := range engines(t) {
		t.Run(name, func(t *testing.T) {
			url := db(t)
			sqldicttest.RunStore(t, func(t *testing.T) sqldict.Store { return remoteStore(t, url) })
		})
	}
}
