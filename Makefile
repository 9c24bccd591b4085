# sqldict — make targets. `make demo` and `make test` are the two commands a
# newcomer needs; see README.md.

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCH       ?= .
BENCHCOUNT  ?= 5
BENCHTIME   ?= 500ms
MANCOUNT    ?= 3
SCANKEYS    ?= 1000000
# A count, not a duration: a duration can end while an iteration waits in
# cgo (fsync), which go test then reports as "context deadline exceeded".
FUZZTIME    ?= 20000x

.PHONY: all layers test test-sqlite test-unit test-integration test-restart-opt-in test-cluster test-containers images image lint-systemd fuzz mutate bench bench-scale bench-scale-5m demo lint lint-client-deps fmt

all: lint test

## test: unit tests (SQLite), short fuzz runs, then the integration suite
## against MariaDB and PostgreSQL (which must be reachable: see docs/testing.md's
## Set-up), and the container suite (Docker; skipped loudly
## without it, except in CI). The server-restart test kills and restarts the
## machine's MariaDB and PostgreSQL, so it runs only with
## SQLDICT_TEST_RESTART=1 (CI sets it: CI owns its servers). The cluster
## suite starts its own servers on loopback (see test-cluster).
test: test-unit fuzz test-integration test-restart-opt-in test-cluster test-containers

## test-sqlite: everything that needs no database server (the unit tests on
## SQLite and the fuzz runs).
test-sqlite: test-unit fuzz

include integration_test/Makefile.inc

test-restart-opt-in: test-integration
	@if [ "$(SQLDICT_TEST_RESTART)" = 1 ]; then \
		$(MAKE) --no-print-directory test-integration-restart; \
	else \
		echo "make test: skipped test-integration-restart, which kills and restarts this machine's MariaDB and PostgreSQL servers; run it with SQLDICT_TEST_RESTART=1 make test"; \
	fi

test-unit:
	$(GO) test -race -count=1 ./...

# The integration module lives in integration_test/ with its own go.mod so
# library users never inherit testcontainers. With CI=true an unreachable
# server fails the run; elsewhere the skip is loud.
test-integration:
	cd integration_test && $(GO) test -race -count=1 -timeout 20m ./...

## test-cluster: the distributed setups of issue 14, each started, used and
## killed by the tests on this machine's loopback: a 3-node MariaDB Galera
## cluster (ports 23306-23308, galera 24567-24589) and PostgreSQL primaries
## with streaming replicas (25432-25435). Needs root and galera-4, rsync,
## mariadb-server, postgresql-15 (.ci/install-services); without them the
## tests skip loudly, and fail with CI=true. SQLDICT_TEST_CLUSTER=1 is the
## gate: test-integration, which runs without it, skips them.
test-cluster:
	cd integration_test && SQLDICT_TEST_CLUSTER=1 $(GO) test -race -count=1 -timeout 15m -run '^TestCluster' ./...

## images: the local database images (sqldict-ci/…) from Debian packages;
## needs root and a Docker engine, does nothing when they exist.
images:
	bash .ci/build-images

## image: the container image $(IMAGE) of sqldict, built locally from
## scratch: one static binary (cgo with SQLite, glibc linked in statically;
## 23 MB), run as user 65532, HEALTHCHECK on /healthz through `sqldict
## healthcheck`. See cmd/sqldict/Dockerfile. Needs a Docker engine and a C
## compiler; no registry.
IMAGE ?= sqldict:dev
IMAGE_TAGS    = osusergo netgo sqlite_omit_load_extension
IMAGE_LDFLAGS = -s -w -linkmode external -extldflags "-static"
image:
	@ctx=$$(mktemp -d) && trap 'rm -rf "$$ctx"' EXIT && mkdir "$$ctx/data" && \
	CGO_ENABLED=1 $(GO) build -trimpath -tags '$(IMAGE_TAGS)' -ldflags '$(IMAGE_LDFLAGS)' -o "$$ctx/sqldict" ./cmd/sqldict && \
	cp cmd/sqldict/Dockerfile "$$ctx/" && \
	docker build -q -t $(IMAGE) "$$ctx" >/dev/null && \
	echo "image: $(IMAGE), $$(docker image inspect -f '{{.Size}}' $(IMAGE)) bytes"

## lint-systemd: check docs/sqldict.service with systemd-analyze verify,
## when it is installed (it says so when it is not), with ExecStart pointed
## at a freshly built binary (verify requires the executable to exist). Any
## warning fails: verify exits 0 on values it ignores.
lint-systemd:
	@if command -v systemd-analyze >/dev/null 2>&1; then \
		d=$$(mktemp -d) && trap 'rm -rf "$$d"' EXIT && \
		$(GO) build -o "$$d/sqldict" ./cmd/sqldict && \
		sed "s|/usr/local/bin/sqldict|$$d/sqldict|" docs/sqldict.service >"$$d/sqldict.service" && \
		out=$$(systemd-analyze verify "$$d/sqldict.service" 2>&1); \
		if [ $$? -ne 0 ] || [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
		echo "lint-systemd: docs/sqldict.service verified, no warnings"; \
	else echo "lint-systemd: systemd-analyze is not installed; docs/sqldict.service not verified"; fi

# The container suite runs on the local images: no registry needed. Ryuk,
# testcontainers' reaper, is an image too: sqldicttc cleans up itself. Where
# the Docker engine runs on this machine (in a container, testcontainers
# would otherwise look for it at the default gateway) its ports are on
# localhost.
TC_POSTGRES_IMAGE ?= sqldict-ci/postgres:15
TC_MARIADB_IMAGE  ?= sqldict-ci/mariadb:10.11
TC_MYSQL_IMAGE    ?= sqldict-ci/mariadb:10.11
TESTCONTAINERS_HOST_OVERRIDE ?= $(shell pidof dockerd >/dev/null 2>&1 && echo localhost)
TC_ENV = TESTCONTAINERS_RYUK_DISABLED=true \
	SQLDICT_TC_IMAGE=$(IMAGE) \
	SQLDICT_TC_POSTGRES_IMAGE=$(TC_POSTGRES_IMAGE) \
	SQLDICT_TC_MARIADB_IMAGE=$(TC_MARIADB_IMAGE) \
	SQLDICT_TC_MYSQL_IMAGE=$(TC_MYSQL_IMAGE) \
	$(if $(TESTCONTAINERS_HOST_OVERRIDE),TESTCONTAINERS_HOST_OVERRIDE=$(TESTCONTAINERS_HOST_OVERRIDE))

# Without -race: the same code runs with -race in test-unit and
# test-integration, and here the CPU goes to the servers (CI has 2 cores).
TC_FLAGS ?=
TC_TIMEOUT ?= 25m

## test-containers: the conformance suites (core, snapshot, prune) through
## sqldicttc on containers of the local images, the container leak test and
## the fault tests (pause, network cut), and the sqldict image (make image)
## run and talked to over HTTP. Without Docker the tests skip
## loudly; with CI=true they fail.
test-containers:
	@if docker info >/dev/null 2>&1; then flock /tmp/sqldict-build-images.lock bash .ci/build-images; \
	else echo "test-containers: no Docker engine answers; the suite will skip (fail with CI=true)"; fi
	@if docker info >/dev/null 2>&1; then $(MAKE) --no-print-directory image; fi
	cd sqldicttc && $(TC_ENV) $(GO) test $(TC_FLAGS) -count=1 -timeout $(TC_TIMEOUT) ./...

## mutate: apply each one-line bug of internal/mutate/mutants.txt (conflict
## checks, horizon and snapshot bounds, watch exactness, auth scopes and
## grants, ETags, encryption additional data, mirror, prune boundaries) to
## a scratch copy through go build -overlay, run the tests it names on
## SQLite, and fail if any bug survives them (issue 28). MUTATEFLAGS: -j N,
## -only REGEXP.
MUTATEFLAGS ?=
mutate:
	$(GO) run ./internal/mutate $(MUTATEFLAGS)

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzKey$$' -fuzztime $(FUZZTIME) ./sqldict/
	$(GO) test -run '^$$' -fuzz '^FuzzValue$$' -fuzztime $(FUZZTIME) ./sqldict/

## bench: the performance report (issue 7). Raw `go test -bench` output per
## engine in bench/raw-<engine>.txt (compare runs with benchstat), the
## man-page benchmark in bench/raw-manpages.txt, and the ratio tables in
## bench/summary.md. SQLite's kine and worker-process benchmarks (issue 10)
## run from the integration module into bench/raw-sqlite-peers.txt. Knobs: BENCH (regexp of top-level benchmarks),
## BENCHTIME, BENCHCOUNT, MANCOUNT, SCANKEYS (size of the streaming-scan
## fixture). Server engines run from the integration
## module when it is present and its servers answer.
bench:
	@mkdir -p bench
	SQLDICT_BENCH_SCAN_KEYS=$(SCANKEYS) $(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m ./sqldict/ | tee bench/raw-sqlite.txt
	@if [ -f integration_test/bench_test.go ]; then \
		(cd integration_test && $(GO) test -run '^$$' -bench '($(BENCH))/engine=sqlite' -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m .) | tee bench/raw-sqlite-peers.txt; \
		for e in mariadb postgres; do \
			(cd integration_test && SQLDICT_BENCH_SCAN_KEYS=$(SCANKEYS) $(GO) test -run '^$$' -bench '($(BENCH))/engine='$$e -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m .) | tee bench/raw-$$e.txt; \
		done; \
	else echo "integration_test: no benchmarks yet, server engines skipped"; rm -f bench/raw-mariadb.txt bench/raw-postgres.txt bench/raw-sqlite-peers.txt; fi
	$(GO) run ./cmd/sqldict-manbench -count $(MANCOUNT) -bench bench/raw-manpages.txt
	$(GO) run ./internal/benchreport bench/raw-*.txt | tee bench/summary.md

## bench-scale: issue 27's scale benchmarks (BenchmarkScaleList, ScaleDiff,
## ScaleImport) at 10 000 and 1 000 000 rows, SQLite then PostgreSQL and
## MariaDB, raw output in bench/raw-scale-<engine>.txt. Fixtures (40 000
## keys × 25 versions) are built once and kept. bench-scale-5m adds 5 000 000
## rows (200 000 keys); neither is part of make test.
bench-scale:
	@mkdir -p bench
	$(GO) test -run '^$$' -bench 'Scale' -benchmem -benchtime 3x -timeout 60m ./sqldict/ | tee bench/raw-scale-sqlite.txt
	for e in postgres mariadb; do \
		(cd integration_test && $(GO) test -run '^$$' -bench 'Scale.*/engine='$$e -benchmem -benchtime 3x -timeout 60m .) | tee bench/raw-scale-$$e.txt; \
	done
bench-scale-5m:
	SQLDICT_BENCH_SCALE_5M=1 $(MAKE) bench-scale

## demo: a scripted session of the sqldict CLI on a fresh SQLite file.
demo:
	bash cmd/sqldict/demo.sh

## lint: gofmt, vet, staticcheck in every module, the layering checks and
## the systemd unit.
lint: layers lint-client-deps lint-systemd
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd integration_test && $(GO) vet ./...
	cd sqldicttc && $(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	cd integration_test && $(GO) run $(STATICCHECK) ./...
	cd sqldicttc && $(GO) run $(STATICCHECK) ./...

## layers: builds without cgo and `go list -deps` checks that the core
## links no database driver and each dialect only its own (issue 21).
layers:
	GO=$(GO) sh internal/layercheck/layers.sh

## lint-client-deps: package client, and so a program built on it alone,
## reaches no database driver, no gorm driver, no Prometheus, no
## html/template and not package server (go list -deps).
CLIENT_FORBIDDEN = ^(github\.com/mattn/go-sqlite3|github\.com/go-sql-driver/mysql|github\.com/jackc/pgx|gorm\.io/driver/|github\.com/prometheus/|html/template$$|github\.com/sqldict/sqldict/server(/|$$))
lint-client-deps:
	@deps=$$($(GO) list -deps ./client) || exit 1; \
	bad=$$(printf '%s\n' "$$deps" | grep -E '$(CLIENT_FORBIDDEN)'); \
	if [ -n "$$bad" ]; then echo "lint-client-deps: package client reaches:"; echo "$$bad"; exit 1; fi; \
	echo "lint-client-deps: ok"

fmt:
	gofmt -w $$(git ls-files '*.go')
