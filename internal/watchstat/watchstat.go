// Package watchstat counts the queries sqldict's watch machinery sends to
// the database: the poller's meta-row reads, the SQLite listener's PRAGMA
// data_version checks, and the watchers' own reads. Benchmarks read it to
// state what idle and busy watchers cost; the counting is one atomic add per
// query.
package watchstat

import "sync/atomic"

// Queries counts every query of the watch machinery in this process.
var Queries atomic.Int64
