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

.PHONY: all test test-sqlite test-unit test-integration test-restart-opt-in fuzz bench demo lint fmt

all: lint test

## test: unit tests (SQLite), short fuzz runs, then the integration suite
## against MariaDB and PostgreSQL (which must be reachable: see README's
## Testing section). The server-restart test kills and restarts the
## machine's MariaDB and PostgreSQL, so it runs only with
## SQLDICT_TEST_RESTART=1 (CI sets it: CI owns its servers).
test: test-unit fuzz test-integration test-restart-opt-in

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

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzKey$$' -fuzztime $(FUZZTIME) ./sqldict/
	$(GO) test -run '^$$' -fuzz '^FuzzValue$$' -fuzztime $(FUZZTIME) ./sqldict/

## bench: the performance report (issue 7). Raw `go test -bench` output per
## engine in bench/raw-<engine>.txt (compare runs with benchstat), the
## man-page benchmark in bench/raw-manpages.txt, and the ratio tables in
## bench/summary.md. Knobs: BENCH (regexp of top-level benchmarks),
## BENCHTIME, BENCHCOUNT, MANCOUNT, SCANKEYS (size of the streaming-scan
## fixture). Server engines run from the integration
## module when it is present and its servers answer.
bench:
	@mkdir -p bench
	SQLDICT_BENCH_SCAN_KEYS=$(SCANKEYS) $(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m ./sqldict/ | tee bench/raw-sqlite.txt
	@if [ -f integration_test/bench_test.go ]; then \
		for e in mariadb postgres; do \
			(cd integration_test && SQLDICT_BENCH_SCAN_KEYS=$(SCANKEYS) $(GO) test -run '^$$' -bench '$(BENCH)/engine='$$e -benchmem -benchtime $(BENCHTIME) -count $(BENCHCOUNT) -timeout 60m .) | tee bench/raw-$$e.txt; \
		done; \
	else echo "integration_test: no benchmarks yet, server engines skipped"; rm -f bench/raw-mariadb.txt bench/raw-postgres.txt; fi
	$(GO) run ./cmd/sqldict-manbench -count $(MANCOUNT) -bench bench/raw-manpages.txt
	$(GO) run ./internal/benchreport bench/raw-*.txt | tee bench/summary.md

## demo: a scripted session of the sqldict CLI on a fresh SQLite file.
demo:
	bash cmd/sqldict/demo.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd integration_test && $(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	cd integration_test && $(GO) run $(STATICCHECK) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')
