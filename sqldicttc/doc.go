// Package sqldicttc gives tests a real MariaDB, MySQL or PostgreSQL server in
// a container (testcontainers-go), as a sqldict URL ready for
// sqldict.OpenURL (importing sqldicttc registers the mysql and postgres
// dialects):
//
//	func TestMain(m *testing.M) { os.Exit(sqldicttc.Run(m)) }
//
//	func TestCounter(t *testing.T) {
//		d, err := sqldict.OpenURL(ctx, sqldicttc.Postgres(t), sqldict.Options{Table: "counters"})
//		…
//	}
//
// It lives in a module of its own so that sqldict's go.mod never gains
// testcontainers and its dependencies: only test code imports it.
//
// # One server, a database per call
//
// Every call of Postgres, MariaDB or MySQL creates a new, empty database on
// the engine's server and drops it when the test ends (t.Cleanup), so tests
// may run in parallel without seeing each other's tables. Starting a server
// takes seconds, so with [Run] in TestMain one container per engine and
// image serves the whole test binary and is removed when m.Run returns.
// Without Run, each call starts its own container and t.Cleanup removes it:
// correct, but slow.
//
// # Images
//
// The official images by default ([DefaultPostgresImage],
// [DefaultMariaDBImage], [DefaultMySQLImage]); [WithImage] or the
// environment (SQLDICT_TC_POSTGRES_IMAGE, SQLDICT_TC_MARIADB_IMAGE,
// SQLDICT_TC_MYSQL_IMAGE) name another one, in that order of precedence. An
// image must honour the official image's environment variables and ready log
// line, as sqldict's own sqldict-ci/postgres:15 and sqldict-ci/mariadb:10.11
// do (built from Debian packages by .ci/build-images, for machines without a
// registry). MySQL is not packaged by Debian: MySQL(t) needs the official
// image or a compatible one; a MariaDB image is accepted as a stand-in.
//
// # Containers left behind
//
// testcontainers-go's reaper (Ryuk) is an image too. Where it cannot be
// pulled, set TESTCONTAINERS_RYUK_DISABLED=true: sqldicttc removes its
// containers itself, through Run and t.Cleanup. A binary killed before that
// (a -timeout panic, SIGKILL) leaves its containers behind; they carry the
// labels org.sqldict.sqldicttc=1 and org.sqldict.sqldicttc.pid=<the test
// binary's process id>, so that
//
//	docker rm -f $(docker ps -aq -f label=org.sqldict.sqldicttc=1)
//
// removes them.
//
// Tests that run in a container beside their own Docker engine (a CI runner
// with Docker inside) need TESTCONTAINERS_HOST_OVERRIDE=localhost: there
// testcontainers-go looks for published ports at the default gateway.
//
// # Without Docker
//
// When no Docker engine answers, the functions skip the test, loudly, with
// t.Skipf; when the environment says CI=true they fail it instead, so that a
// CI machine that lost its engine cannot pass by skipping.
package sqldicttc
