// Package mysql is the sqldict dialect for MySQL 8 and MariaDB 10.11+
// through github.com/go-sql-driver/mysql. One dialect serves both servers;
// where they differ the query texts say so.
//
// Importing it registers the URL scheme mysql:// with the dialects
// registry, which sqldict.OpenURL and sqldict.Open (for a
// gorm.io/driver/mysql connection) look up; it links no other driver:
//
//	import _ "github.com/sqldict/sqldict/dialects/mysql"
//
// # Schema
//
// label is VARBINARY(KeyLength): bytes compared as bytes, no collation, no
// PAD SPACE, so "a" and "a " are different keys and keys sort bytewise as on
// every other engine. The length is in bytes, and the core rejects a longer
// key before the server sees it: nothing depends on sql_mode being strict.
// item is LONGBLOB, created DATETIME(6) holding UTC, author and comment
// utf8mb4 TEXT. sequence_number is a plain BIGINT primary key, never
// AUTO_INCREMENT: the core allocates it from the meta row, so Galera's
// auto_increment_increment and values lost by rolled-back inserts cannot
// leave gaps. Tables are InnoDB.
//
// # Writers
//
// A write transaction runs at READ COMMITTED and begins with SELECT … FOR
// UPDATE on the journal's meta row. That row lock serialises the writers of
// one journal across all processes; every read after it in the transaction
// sees the rows of the writer before, because READ COMMITTED takes a fresh
// read view per statement. Deadlocks (1213), lock wait timeouts (1205),
// MariaDB's innodb_snapshot_isolation conflicts (1020) and SQLSTATE 40001
// are classified dialects.ErrRetry; the core runs the transaction again.
// READ COMMITTED needs row-based or mixed binary logging (MySQL 8's and
// MariaDB's defaults); binlog_format=STATEMENT refuses the writes.
//
// A commit of at most 32 rows that moves no horizon is one round trip
// instead of eight: CALL <table>_commit(…), a stored procedure schema
// version 4 installs (dialects.Queries.Commit). The procedure runs its own
// READ COMMITTED transaction (SET TRANSACTION names the next transaction
// only, so the pooled connection's session keeps its level), takes the
// meta row's lock, compares the head of the keys with what the Dict
// believes, and either writes the rows, head rows and meta row and commits,
// or writes nothing and answers the heads as they are. Its exit handler
// rolls back and passes on any error, so no connection returns to the pool
// inside a transaction holding the lock; a deadlock or a Galera
// certification failure (1213) in the call sends the batch down the locked
// path, which retries. The arrays the call takes are JSON text (BindArray;
// values base64). MariaDB pairs such arrays only at a cost growing with the
// square of their length, so larger batches take the locked path
// (dialects.Queries.CommitRows), where a round trip more or less is small
// beside the rows.
//
// Privileges: migrating a journal to schema version 4 needs CREATE ROUTINE
// on its database (and ALTER ROUTINE to migrate back down); writing through
// the procedure needs EXECUTE on it, besides the SELECT, INSERT and UPDATE
// on the journal's tables every writer needs (the procedure is SQL SECURITY
// INVOKER: it runs with the caller's rights, not the migrating account's).
// An account without EXECUTE fails its writes with error 1370; it needs
// the grant, the locked path is not chosen instead.
//
// # Read views
//
// InnoDB does not build a statement's read view atomically: it copies the
// list of active transactions while they commit, so one statement can see
// a commit and miss the commit before it, whose lock it waited for. Seen
// on MariaDB 10.11 with nothing but raw SQL: eight connections committing
// "lock the meta row, insert last+1, update the meta row" and a ninth
// reading "sequence > cursor ORDER BY sequence" saw one or two holes per
// 20 s on a loaded 2-core machine, gone when read again. A statement that
// begins after another statement saw sequence S sees every row up to S, so
// reads pinned at a sequence read before them (views, listings, exports)
// are exact; Log and Watch, which read "everything after", check that the
// sequence has no hole above the horizon and read again when it seems to.
//
// Schema migrations of one journal are serialised with GET_LOCK; MySQL DDL
// is not transactional, so a migration that fails half way is left dirty.
//
// # Time
//
// The commit time comes from the server: UTC_TIMESTAMP(6) plus the time the
// statement that locks the meta row waited for the lock (the distance from
// NOW(6) to SYSDATE(6)), read in that statement, in the locked path and in
// the commit procedure alike, and never before the last commit's. Times are bound and read as text in
// TimeLayout (DATE_FORMAT in every SELECT), never as time.Time: the DSN's
// parseTime and loc and the session's time_zone then cannot shift them.
//
// # Plans
//
// Get is one backward range read on (label, sequence_number, is_deleted).
// Keys, Len and the entry scan at the newest commit walk the head table (one
// row per key) in primary-key order: O(keys), and a page stops after its
// LIMIT (ANALYZE: 111 head rows read for a page of 100).
//
// At an older sequence they are a loose index scan of the journal:
//
//	SELECT g.label FROM t g WHERE g.label >= ? AND g.label < ? AND g.label > ?
//	  AND g.sequence_number <= ? GROUP BY g.label
//	HAVING (SELECT j.is_deleted FROM t j WHERE j.sequence_number = MAX(g.sequence_number)) = 0
//	ORDER BY g.label LIMIT ?
//
// "Using index for group-by" seeks once per label to its newest row at or
// below the bound, and the HAVING test reads that row by primary key.
// ANALYZE on MariaDB 10.11, journal of 10 000 keys × 100 versions (a tenth
// of the keys deleted), the whole listing:
//
//	id select_type        table type   key           rows  r_rows  Extra
//	1  PRIMARY            g     range  t_label_seq   10653 10000   Using where; Using index for group-by
//	2  DEPENDENT SUBQUERY j     eq_ref PRIMARY       1     1       Using where
//
// A page of 100 keys after "key/05000" reads 112 groups, not the rest of the
// journal: groups stream in index order and the LIMIT stops them. Latest and
// LatestAt read one index entry (range on t_label_seq, r_rows 1).
//
// Measured through the API, best of 5 (SQLDICT_TEST_PLANS=1 go test -run
// TestPlans in integration_test, PostgreSQL loading the same machine):
//
//	                               depth 1    depth 100
//	Keys / Len (head table)        4.0 / 1.3  3.5 / 1.6 ms
//	KeysIn, page of 100            0.09       0.10 ms
//	Snapshot.Keys, 1 version back  —          80 ms
//	Snapshot.Keys, 50 versions back            63 ms
//	Snapshot.Len, 50 versions back 8.5        43 ms
//	Get / Snapshot.Get             0.05/0.36  0.07/0.25 ms
//
// The history behind a snapshot costs nothing: 50 versions after the point
// read as fast as one.
//
// The head-table walk the other engines use at a sequence (head row, or
// one seek for keys written since) runs its correlated "newest row at or
// below the bound" subquery as a ref scan on the label that reads every
// version written after the bound (ANALYZE: r_rows 51 per key half way back
// through 100 versions). That is what a point few commits behind the newest
// wants, though: the core uses the walk (KeysNear, CountNear, EntriesNear)
// when fewer commits followed the point than there are live keys, so the
// walk reads at most keys + commits since rows. There the loose index scan
// was the slow plan: Keys at the end of the last round of 10 000 keys × 100
// versions took 30x depth 1 (1.33 s), every group's MAX bounded by a
// sequence almost every row is below. BenchmarkViewKeys, medians of 5 in one
// run on a loaded machine: 178 ms at depth 100 against 161 ms at depth 1
// (1.1x); the loose index scan, run raw beside it, took 1.6 s. A
// recursive CTE stepping from label to label plans its correlated "next
// label" subquery as a scan from the first index entry (700 101 entries
// per step): Keys ran for minutes.
//
// # Connections
//
// Lost connections (driver.ErrBadConn, mysql.ErrInvalidConn, io.EOF, net
// errors, server shutdown 1053, MariaDB's 1927, SQLSTATE class 08) are
// classified dialects.ErrConnection; the core resolves a COMMIT lost that
// way by looking for its rows once the server answers again.
package mysql
