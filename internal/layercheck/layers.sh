#!/bin/sh
# layers.sh fails when the package layering breaks (issue 21): a program
# that uses one engine must build without cgo and link no other engine's
# driver; the core links none. Run by `make layers` (part of `make lint`).
set -eu
GO=${GO:-go}
status=0

SQLITE='^github.com/mattn/go-sqlite3$'
MYSQL='^github.com/go-sql-driver/mysql$'
PGX='^github.com/jackc/pgx/'
GORMDRIVER='^gorm.io/driver/'
DIALECT='^github.com/sqldict/sqldict/dialects/(sqlite|mysql|postgres|all)$'

# forbid PKG REGEXP...: PKG must link no package matching any REGEXP (with
# cgo on, the stricter case: the sqlite dialect links go-sqlite3 only then).
forbid() {
	pkg=$1
	shift
	deps=$($GO list -deps "$pkg")
	for re in "$@"; do
		if hits=$(printf '%s\n' "$deps" | grep -E "$re"); then
			echo "layers: $pkg links $(echo $hits)"
			status=1
		fi
	done
}

# Builds without cgo: the core alone, with each server dialect, the layers
# above the core, and the CLI (whose sqlite: then fails at open).
CGO_ENABLED=0 $GO build ./sqldict ./typed ./mirror ./snapshot ./prune \
	./internal/layercheck/postgres ./internal/layercheck/mysql ./cmd/sqldict || status=1

# The core and the layers above it link no driver and no dialect.
for pkg in ./sqldict ./typed ./mirror ./snapshot ./prune; do
	forbid "$pkg" "$SQLITE" "$MYSQL" "$PGX" "$GORMDRIVER" "$DIALECT"
done
# Each dialect links its own driver only, and no gorm driver.
forbid ./dialects/postgres "$SQLITE" "$MYSQL" "$GORMDRIVER"
forbid ./dialects/mysql "$SQLITE" "$PGX" "$GORMDRIVER"
forbid ./dialects/sqlite "$MYSQL" "$PGX" "$GORMDRIVER"
forbid ./internal/layercheck/postgres "$SQLITE" "$MYSQL" "$GORMDRIVER"
forbid ./internal/layercheck/mysql "$SQLITE" "$PGX" "$GORMDRIVER"

# The sqlite dialect's cgo-less stub fails at open with ErrNoCgo.
CGO_ENABLED=0 $GO test -count=1 -run 'NoCgo' ./dialects/sqlite >/dev/null || {
	echo "layers: CGO_ENABLED=0 go test ./dialects/sqlite failed"
	status=1
}

# client: (helper api) a program importing only package client builds
# with CGO_ENABLED=0 and links no driver, gorm, Prometheus or server.

[ "$status" = 0 ] && echo "layers: ok"
exit $status
