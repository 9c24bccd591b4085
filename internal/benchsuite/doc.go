// Package benchsuite holds the benchmark bodies of the performance report
// (issue 7), written once and run on every engine: SQLite from package
// sqldict's tests, MariaDB and PostgreSQL from the integration module.
//
// Every benchmark takes the engines it runs on and names its sub-benchmarks
// benchstat-style, engine first: BenchmarkGet/engine=sqlite/depth=10/impl=raw.
// Each sqldict figure has its baselines in the same run, on the same
// database: impl=raw runs the equivalent statement through database/sql (the
// dialect's own query text, prepared), impl=plain a hand-rolled
// (k PRIMARY KEY, v) table written with the engine's upsert.
//
// Fixtures (10 000 keys at history depth 1, 10 and 100; 1 000 000 keys for
// the streaming scan) are built once with large Commit batches and kept: on
// SQLite in files under SQLDICT_BENCH_DIR (default: a sqldict-bench folder in
// the temporary directory), on servers in tables named bench_*. A fixture
// whose newest sequence is not what its build leaves is rebuilt.
package benchsuite
