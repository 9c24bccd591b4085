// Package postgres is the sqldict dialect for PostgreSQL through
// github.com/jackc/pgx/v5 via its database/sql adapter.
//
// Importing it registers the URL schemes postgres:// and postgresql://
// with the dialects registry, which sqldict.OpenURL and sqldict.Open (for a
// gorm.io/driver/postgres connection) look up; it links no other driver:
//
//	import _ "github.com/sqldict/sqldict/dialects/postgres"
//
// # Schema
//
// label is VARCHAR(KeyLength) COLLATE "C": bytewise order whatever the
// database's locale, the same order as on every other engine. VARCHAR counts
// characters; the core enforces the byte length and refuses NUL, which
// PostgreSQL text cannot hold. item is BYTEA, created TIMESTAMPTZ.
// sequence_number is a plain BIGINT primary key, neither serial nor identity:
// the core allocates it from the meta row, gap-free.
//
// # Writers
//
// A write transaction runs at READ COMMITTED and begins with SELECT … FOR
// UPDATE on the journal's meta row, which serialises the writers of one
// journal across all processes; each later statement sees the rows of the
// writer before. Serialization failures (40001) and deadlocks (40P01) are
// classified dialects.ErrRetry, unique violations (23505)
// dialects.ErrDuplicate, and lost connections, administrator shutdowns
// (57P01–57P03) and class 08 dialects.ErrConnection.
//
// A commit that moves no horizon (no PruneOnWrite) is one statement instead:
// SELECT … FROM <journal>_commit(…), a PL/pgSQL function migration 4
// installs per journal (Queries.Commit). The core plans the commit from what
// it last saw of its keys' heads; the function locks the meta row FOR
// UPDATE, reads those heads after the lock is granted (each statement of a
// VOLATILE function takes a fresh snapshot at READ COMMITTED), and when they
// are as the core believed it appends the rows, upserts the head rows,
// advances the meta row and notifies the journal's channel, all in the
// statement's own transaction; otherwise it writes nothing and answers the
// heads as they are, for the core to plan again. One round trip per commit,
// and the lock is held for the server's work only, not across client round
// trips. Creating the function needs the CREATE privilege on the schema;
// writing needs EXECUTE on it (granted to PUBLIC by default).
//
// Migrations run inside one transaction holding
// pg_advisory_xact_lock(hashtext(name)): DDL is transactional, so a failed
// migration leaves nothing behind and concurrent openers wait for the first.
//
// # Watch
//
// Every transaction that advances the meta row also calls pg_notify on the
// journal's channel (dialects.NotifyChannel), inside the UPDATE itself, so
// watchers LISTENing in other processes hear of a commit when it becomes
// visible and never of one that rolled back. PostgreSQL serialises the
// final step of committing transactions that notified, across the whole
// database: journals already serialise their writers on the meta row, but
// commits to different journals of one database now take turns for that
// step (microseconds).
//
// # Time
//
// The commit time is clock_timestamp() read with the lock (microseconds),
// stored as TIMESTAMPTZ and read back in UTC.
//
// # Plans
//
// Keys, Len and the entry scan at the newest commit walk the head table (one
// row per key) in primary-key order: O(keys), and a page stops after its
// LIMIT. At an older sequence they walk the head table too: a key not
// written since the point is answered by its head row, any other by one
// index-only seek on (label, sequence_number, is_deleted) to its newest row
// at or below the bound. EXPLAIN (ANALYZE) on PostgreSQL 15, journal of
// 10 000 keys × 100 versions (a tenth of the keys deleted), count half way
// back:
//
//	Aggregate (actual time=171.882..171.884 rows=1 loops=1)
//	  ->  Seq Scan on t_head h (rows=10000)
//	        Filter: (… NOT CASE WHEN (sequence_number <= '500000') THEN is_deleted ELSE (SubPlan 1) END)
//	        SubPlan 1
//	          ->  Limit (actual time=0.015..0.015 rows=1 loops=10000)
//	                ->  Index Only Scan Backward using t_label_seq on t x (rows=1 loops=10000)
//	                      Index Cond: ((label = h.label) AND (sequence_number <= '500000'))
//	                      Heap Fetches: 0
//
// A page of 100 keys is an Index Scan on the head's primary key reading 100
// rows (0.2 ms). Latest and LatestAt are one backward index scan (0.02 ms).
//
// Measured through the API, best of 5 (SQLDICT_TEST_PLANS=1 go test -run
// TestPlans in integration_test, MariaDB loading the same machine):
//
//	                               depth 1   depth 100
//	Keys / Len (head table)        6.0 / 0.8 17 / 1.6 ms
//	KeysIn, page of 100            0.09      0.39 ms
//	Snapshot.Keys, 1 version back  —         118 ms
//	Snapshot.Keys, 50 versions back          60 ms
//	Get / Snapshot.Get             0.06/0.18 0.19/0.31 ms
//
// The history behind a snapshot costs nothing: 50 versions after the point
// read as fast as one. At a point with few commits before it and many after
// (fewer than twice the live keys, and fewer than after), one seek per key
// costs more than reading every row up to the point: the core uses
// KeysEarly, CountEarly and EntriesEarly there, a primary-key range scan of
// the rows at or below the bound with DISTINCT ON (label), O(keys) by the
// choice rule. BenchmarkViewKeys, medians of 5 in one run on a loaded
// machine: Keys at the end of the first of 100 rounds of 10 000 keys takes
// 100 ms, 2.5x Keys at depth 1 (39 ms); the walk (KeysAt, run raw beside it)
// took 448 ms, 11x.
//
// Schema 5 makes the primary key cover the scan: PRIMARY KEY
// (sequence_number) INCLUDE (label, is_deleted), no index added, so a write
// still inserts into the same B-trees (BenchmarkSet and BenchmarkCommit did
// not move beyond noise). At that point, EXPLAIN (ANALYZE, BUFFERS) on
// PostgreSQL 15, warm caches, the two schemas side by side:
//
//	Limit (actual time=3.361..7.526 rows=10000)
//	  ->  Subquery Scan on e (actual time=3.359..6.862 rows=10000)
//	        Filter: ((NOT e.is_deleted) AND (label >= …) AND (label < …) AND (label > …))
//	        ->  Unique (actual time=3.353..5.165 rows=10000)
//	              ->  Sort (actual time=3.351..3.807 rows=10000)
//	                    Sort Key: label COLLATE "C", sequence_number DESC
//	                    Sort Method: quicksort  Memory: 1010kB
//	                    ->  Index Only Scan using t_pkey on t (actual time=0.105..1.272 rows=10000)
//	                          Index Cond: (sequence_number <= 10000)
//	                          Heap Fetches: 0
//	                          Buffers: shared hit=53
//	Execution Time: 8.068 ms
//
// against an Index Scan of 1.907 ms reading 154 buffers, 8.814 ms in all,
// with schema 3. The scan is a sixth of the statement; the rest is per-row
// work in the sort, the DISTINCT ON and the filter (about 2 ms for 10 000
// rows without EXPLAIN's timing) that the head walk at depth 1 does not
// do. Through the API (BenchmarkViewKeys depth=100/at=old against
// depth=1/at=recent, each pair from one run seconds apart, medians of 32
// pairs alternating the two schemas on a machine at load 3–6): 1.67x
// before, 1.50x after. Tried and dropped: the DISTINCT in Go (the rows up
// to the point, sorted and reduced by the core; 1.59x where the covering
// key alone gave 1.40x), and a hashed aggregate instead of the sort
// (slower in EXPLAIN). Before the head table this dialect listed with a
// recursive CTE stepping from label to label through a LATERAL LIMIT 1
// (two index-only seeks per key, 112 ms for Keys at depth 100); the head
// table only wins.
package postgres
