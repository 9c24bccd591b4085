// Package mysql is the sqldict dialect for MySQL 8 and MariaDB 10.11+
// through gorm.io/driver/mysql (github.com/go-sql-driver/mysql). One dialect
// serves both servers; where they differ the query texts say so.
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
// Schema migrations of one journal are serialised with GET_LOCK; MySQL DDL
// is not transactional, so a migration that fails half way is left dirty.
//
// # Time
//
// The commit time comes from the server: UTC_TIMESTAMP(6), read in the same
// statement that locks the meta row. Times are bound and read as text in
// TimeLayout (DATE_FORMAT in every SELECT), never as time.Time: the DSN's
// parseTime and loc and the session's time_zone then cannot shift them.
//
// # Plans
//
// Get is one backward range read on (label, sequence_number, is_deleted).
// Keys, Len and the entry scan at any sequence are a loose index scan:
//
//	SELECT g.label FROM t g WHERE g.label >= ? AND g.label < ? AND g.label > ?
//	  AND g.sequence_number <= ? GROUP BY g.label
//	HAVING (SELECT j.is_deleted FROM t j WHERE j.sequence_number = MAX(g.sequence_number)) = 0
//	ORDER BY g.label LIMIT ?
//
// "Using index for group-by" seeks once per label to its newest row at or
// below the bound, and the HAVING test reads that row by primary key.
// ANALYZE on MariaDB 10.11, journal of 10 000 keys × 100 versions (a tenth
// of the keys deleted), whole listing:
//
//	id select_type        table type   key           rows  r_rows  Extra
//	1  PRIMARY            g     range  t_label_seq   10305 10000   Using where; Using index for group-by
//	2  DEPENDENT SUBQUERY j     eq_ref PRIMARY       1     1       Using where
//
// A page of 100 keys after "key/05000" reads 112 groups, not the rest of the
// journal: the groups stream in index order and the LIMIT stops them. Latest
// and LatestAt read one row (range on t_label_seq, r_rows 1).
// Measured through the API (best of 5, MariaDB sharing the machine with
// PostgreSQL): Keys 20 ms at depth 1 and 68 ms at depth 100, Len 17 → 47 ms,
// a 100-key page 0.6 ms at depth 100, Get 0.05–0.3 ms. A hundred times the
// history costs 2.5–3.5 times the time — a deeper, less cached B-tree —
// not a hundred times.
//
// The recursive CTE that steps from label to label, SQLite's and
// PostgreSQL's plan, is a trap here: MariaDB plans the correlated "next
// label" subquery once, as a scan of the whole index from its first entry
// (ANALYZE: 700 101 entries read per step), so Keys on the journal above ran
// for minutes. A head table (one row per live key) would make Keys O(keys)
// without the log factor, at the price of an update per write on a
// contended row; the numbers above do not call for it.
//
// # Connections
//
// Lost connections (driver.ErrBadConn, mysql.ErrInvalidConn, io.EOF, net
// errors, server shutdown 1053, MariaDB's 1927, SQLSTATE class 08) are
// classified dialects.ErrConnection; the core resolves a COMMIT lost that
// way by looking for its rows once the server answers again.
package mysql
