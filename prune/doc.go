// Package prune removes old history from a sqldict journal without ever
// making a remaining snapshot answer wrongly: retention policies, batched
// compaction, and a background pruner. (Options.PruneOnWrite, the other way
// to prune, lives on the Dict.)
//
// # The horizon rule
//
// A journal keeps one prune horizon H (sqldict.Stats.Horizon): snapshots at
// sequences below H fail with sqldict.ErrPruned, at H and above they are
// exact. Removing rows moves H, in the same transaction as the deletes, to
// the smallest value that keeps every point at or above it exact:
//
// A point S stays readable exactly when no removed row was the visible
// version of any key at S. A row r of key k at sequence s, whose next row of
// k is at n, is the visible version of k at every S in [s, n). So after
// removing a set of rows,
//
//	H = max(old H, max over removed live rows of n, max over removed tombstones of s)
//
// Compaction always removes a prefix of a key's history (all its rows below
// some version), so a removed tombstone leaves the key absent at every S >= s
// exactly as the tombstone did: it costs only its own sequence. That covers
// the final tombstone of a key dropped entirely, whose n would be infinite.
// A point S >= H can then tell a dropped key from a never-written one only
// through Snapshot.Entry and History, which show tombstones; Get, Has, Len,
// Keys and All answer exactly as before.
//
// Because there is one horizon, not a set of holes, a compaction that
// removes a row needed only at points 10..12 also refuses points 0..9.
//
// # What ErrPruned means to readers
//
// Dict.Snapshot(ctx, seq) fails with ErrPruned when seq < H. A Snapshot taken
// before a compaction re-checks the horizon after every read, so once the
// horizon passes it, every read of it fails with ErrPruned: it never answers
// from a half-pruned journal. Dict.Version fails with ErrPruned for a removed
// version of a key that still has rows. Dict.Log and History simply skip
// removed rows. Readers that must keep a point readable choose a policy that
// keeps it: KeepFor, Through or Before bound the horizon.
//
// # Policies
//
// A Policy's zero value removes nothing. Its criteria combine
// conservatively: a row is removed only when every criterion that is set
// allows it, so adding a criterion never removes more.
//
//   - Through, Before and KeepFor bound by sequence, commit time and age:
//     only rows superseded at or before the bound go, so the horizon never
//     passes the bound and every point from it on stays readable. Times
//     resolve to sequences with Dict.SequenceAt once, at the start of a
//     compaction; the smallest bound wins.
//   - KeepVersions keeps each key's newest N rows, tombstones included.
//     Alone, it bounds nothing in time: the horizon may move close to the
//     newest commit.
//   - DropDeleted removes keys whose newest row is a tombstone at or before
//     the bound (the newest commit when only KeepVersions is set), whatever
//     KeepVersions says. Alone, it drops the deleted keys whose whole
//     history lies behind the current horizon, which never moves it. A
//     dropped key keeps its head row as a high-water mark: written again,
//     it continues after the tombstone's version, so versions of a key
//     never repeat and a stale expectation cannot match.
//
// # Batches and concurrency
//
// Compact runs one write transaction per batch of at most BatchSize rows
// (and at most sqldict.MaxPruneKeys keys examined), through
// Dict.PruneBatch: each batch locks the journal's meta row like any writer,
// decides what to remove from what the journal holds at that moment,
// deletes it, moves the horizon and commits. Writers therefore wait at most
// one batch; BatchSize is the knob between compaction speed and writer
// stalls (DefaultBatchSize keeps the writer p99 under 50 ms on SQLite, see
// the benchmarks). On SQLite a batch's COMMIT does not checkpoint the
// write-ahead log; the compactor checkpoints (PASSIVE) after releasing the
// lock, so writers do not wait for the copy. Between batches Compact pauses
// briefly (Policy.Pause), because writers in other processes poll for
// SQLite's lock and would otherwise rarely find it free. A batch that finds
// its work done (another process compacted first) removes nothing and
// succeeds, so
// any number of compactors may run against one journal, in one process or
// many; a compactor killed mid-batch leaves that batch rolled back and the
// journal consistent, and the next compaction finishes the job.
//
// Run and Start run Compact every interval in the background, logging to an
// injected *slog.Logger. Errors are logged and retried with backoff, never
// fatal; the pruner stops when its context ends, when Stop is called, or at
// its next round after the Dict is closed.
//
// # Space on SQLite
//
// Deleting rows frees pages inside the SQLite file, which later writes
// reuse, but does not shrink it. After a compaction that removed rows,
// Compact (with the default ReclaimAuto) checkpoints and truncates the
// write-ahead log, which compaction grows, and, when the database was created
// with PRAGMA auto_vacuum=INCREMENTAL (OpenURL: "sqlite:path?_auto_vacuum=incremental",
// set before the first table is created), returns the free pages to the file
// system in short steps that writers interleave with. ReclaimFull runs VACUUM
// instead: the smallest file, but writers wait for the whole rebuild.
// MySQL and PostgreSQL reuse freed space themselves; there Reclaim does
// nothing.
package prune
