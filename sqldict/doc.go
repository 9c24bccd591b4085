// Package sqldict turns one SQL table into a versioned, dict-like key/value
// store: every write appends a row to the journal table, a head table keeps
// one row per key pointing at its newest row, and a meta row holds the last
// sequence number, its time, the prune horizon and its commit time, and the
// number of live keys.
// SQLite, MariaDB/MySQL and PostgreSQL are supported (see the dialects
// packages for their plans); the guarantees are docs/guarantees.md of the
// repository.
//
// This package links no database driver. Each dialect package registers
// its URL schemes when imported, as database/sql drivers do, so a program
// imports the engines it uses and links only their drivers:
//
//	import _ "github.com/sqldict/sqldict/dialects/postgres" // postgres://
//
// OpenURL with a scheme no imported package registered, and Open with a
// gorm dialector whose dialect was not imported, fail with
// ErrUnknownScheme naming the import to add. dialects/all imports every
// engine.
//
// # Versions never repeat
//
// A key's versions count its writes: 1 on the first, +1 on each later one,
// a deletion included. A write that names the version it expects
// (IfVersion) succeeds only against exactly that version, so a version
// number must never be given twice to one key, or a writer holding an old
// expectation could overwrite a value it never saw (ABA).
//
// Compaction is what could make versions repeat: PruneRule.DropThrough
// removes every row of a deleted key. Its head row stays, deleted, with the
// tombstone's version and sequence: it is the key's high-water mark. A
// later write reads the version there like any other and continues after
// it, and Version of a dropped version reports ErrPruned, never a newer
// value. The mark costs one head-table row per key ever written, which the
// head table holds for every key anyway; a key's marks go only with the
// journal. Import does not carry marks of keys the source dropped and
// never wrote again (an export holds no rows of them): after an import
// such a key starts again at version 1, so do not carry expectations
// across an export and import.
//
// # Len
//
// The meta row counts the live keys (schema version 2): every commit adds
// the keys it created or re-created and subtracts those it deleted, in the
// statement that advances the sequence, from the head states it reads for
// its conflict checks anyway; compaction never changes the count (it
// removes superseded rows and deleted keys only). Len and Stats.Live read
// it, at the head and on a Snapshot at the newest sequence, in one
// single-row read. LenIn with a range, and Len at an older point, count.
//
// # Schema versions and upgrades
//
// Opening a journal migrates it to the newest schema unless
// Options.SkipMigrate or ReadOnly is set (then an older schema is refused).
// Migrations hold the journal's schema lock, so processes opening one
// journal together migrate it once. Schema 2 adds the live count, filled
// from the head table by the migration. Schema 3 adds the horizon's commit
// time, which SequenceAt needs when the row at the horizon was a removed
// tombstone; the migration fills it from that row, or leaves it unknown
// (such times stay refused with ErrPruned). Processes of an older release
// that opened the journal before the upgrade keep neither: stop them
// before upgrading (an older release refuses to open a journal at a newer
// schema, ErrSchemaTooNew). Each dialect numbers its schema versions on
// its own: PostgreSQL's schema 5 rebuilds the journal's primary key to
// cover label and is_deleted, so that listing at an early point reads the
// index alone; the rebuild holds the journal locked against reads and
// writes, about a second per million rows.
package sqldict
