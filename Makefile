# sqldict — make targets. `make demo` and `make test` are the two commands a
# newcomer needs; see README.md.

GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCH       ?= .
BENCHCOUNT  ?= 6
FUZZTIME    ?= 10s

.PHONY: all test test-unit test-integration fuzz bench demo lint fmt

all: lint test

## test: unit tests (SQLite), short fuzz runs, then the integration suite
## against MariaDB and PostgreSQL (which must be reachable: see README).
test: test-unit fuzz test-integration test-integration-restart

include integration_test/Makefile.inc

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

## bench: benchmarks with -benchmem; raw output in bench/ for benchstat.
bench:
	@mkdir -p bench
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCHCOUNT) -timeout 60m ./... | tee bench/sqlite.txt

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
