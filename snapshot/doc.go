// Package snapshot reads a sqldict journal as it was at an instant in the
// past, and tells what changed between two instants.
//
// A View is the dict right after one row of the journal. It is made by
// sequence (At), by time (AsOf) or at the newest commit (Head), and offers
// the read side of a Dict: Get, Has, Entry, Len, Keys, ranges and paging
// (LenIn, KeysIn), streaming (All, AllIn) and per-key History up to its
// point. It has no write methods. Diff and Changes compare two views.
//
//	then, err := snapshot.AsOf(ctx, d, time.Date(2024, 5, 1, 3, 0, 0, 0, berlin))
//	now, err := snapshot.Head(ctx, d)
//	changes, err := snapshot.Diff(ctx, then, now)
//
// # Exact or refused
//
// A view's answers are exactly what the dict held at its point, and the same
// every time they are read, whatever is written, rewritten or deleted after
// it: a key whose newest row came after the point is still listed by Keys
// and counted by Len, with the value Get returns. Nothing is approximated. A
// read that cannot be answered exactly fails instead:
//
//   - sqldict.ErrPruned: pruning removed rows the point needs. It is returned
//     by At and AsOf for a point behind the prune horizon, and by every read
//     of a view whose point a prune passed after the view was made: each read
//     checks the horizon after its query, so a read racing a prune is
//     refused, never answered from a half-pruned journal.
//   - sqldict.ErrFuture: At of a sequence after the newest commit; AsOf of a
//     time that is not before the database's clock.
//   - sqldict.ErrNotFound: Get, Entry and History of a key with no live value
//     (Get) or no row (Entry, History) at the point.
//   - sqldict.ErrClosed: any read after the Dict was closed.
//   - sqldict.ErrInvalidArgument: a nil Dict or view, a negative sequence,
//     Diff of views of different journals.
//
// A view holds no connection, transaction or lock; its point alone pins it,
// because the journal below the newest commit never changes except by
// pruning, which the horizon check catches. Keeping many views costs nothing,
// and a view is safe for concurrent use.
//
// # Points in time
//
// Every commit carries one created time: microseconds, UTC, from the database
// server's clock (SQLite has none fine enough; there it is the writing
// process's clock), never decreasing along the journal. AsOf(t) resolves t to
// the last commit with created <= t:
//
//   - t equal to a commit's created includes that commit.
//   - Several commits may share a microsecond, and the rows of one Commit
//     always do; t includes all of them. AsOf never lands inside a commit.
//   - t is truncated to the microsecond before it is compared (created has
//     no finer part), so every t within a commit's microsecond includes it,
//     and no engine rounds a t up into the next microsecond.
//   - Only the instant counts: t's location (time zone) is irrelevant, and
//     the view's Time is in UTC.
//   - A t before the first commit gives the empty view, at sequence 0 (or
//     ErrPruned once pruning has removed history from the start).
//   - A t that is not before the database's clock fails with ErrFuture: a
//     commit in flight could still land at t. For a t at or after the newest
//     commit, AsOf takes the journal's write lock for a moment, so that once
//     it has answered, no later commit can appear at or before t. Use Head
//     for "now": a client whose clock runs ahead of the server's gets
//     ErrFuture for AsOf(time.Now()).
//
// A view's Time is its commit's created, not the t it was asked for.
//
// At(seq) takes any sequence. Each row of the journal has its own sequence,
// so a sequence inside a Commit of several writes shows that commit partly
// applied, a state no reader of the head ever saw; sequences from AsOf,
// Head, Dict.Stat or the last entry a Commit returns are commit boundaries.
//
// # Diff
//
// Diff(ctx, a, b) returns the changes that turn view a into view b, sorted
// bytewise by key; Changes streams them. A key is reported when its live
// value differs between the two points:
//
//   - Added: live at b, not at a (never written, or deleted, at a).
//   - Deleted: live at a, not at b.
//   - Changed: live at both, with different value bytes.
//
// Diff compares states, not histories. A key written and deleted between the
// points is not reported, nor is a key rewritten with the same bytes, even
// though its version, author or comment moved on; Dict.Log returns every
// write between two sequences. So Diff(a, b) is empty exactly when a and b
// read the same, and applying it to a gives b.
//
// Each Change carries both entries, Before (the key's newest row at a, what
// a.Entry returns) and After (the same at b), with value, version, created,
// author and comment: nil where the key had no row, a tombstone where it had
// been deleted. a may be after b; the changes then describe going back, with
// Before still taken at a.
//
// Diff's cost grows with the number of journal rows between the two points,
// not with the size of the dict: one ordered scan of the rows between them
// (Dict.Log, by primary key), then one indexed lookup per distinct key they
// touch. It holds those keys and their newest rows in memory. Both views
// must be of the same journal, through the same Dict or Dicts sharing one
// *sql.DB, and readable: ErrPruned otherwise.
//
// # Cost of reads
//
// A view reads through the same dialect queries as the head: Get is one
// indexed lookup of the key's newest row at or below the point; Keys, Len and
// All cost O(keys · log rows) through each dialect's skip scan, whatever the
// history's depth. A view's read also re-reads the journal's one-row meta
// table to check the prune horizon (Get does it in the same query).
//
// Views work on every engine sqldict supports; nothing in this package is
// specific to one.
package snapshot
