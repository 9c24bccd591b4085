package sqldict

import (
	"context"
	"iter"
	"time"
)

// Reader is the read side of a journal at one point: the head of a Dict or
// a client, or a Snapshot. Every method takes the context first and returns
// the errors of this package (ErrNotFound, ErrPruned, ErrClosed …), whatever
// the implementation; code that only reads should ask for a Reader.
type Reader interface {
	// Get returns the value of key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Has reports whether key has a live value.
	Has(ctx context.Context, key string) (bool, error)
	// Entry returns the newest row of key, a tombstone included, or
	// ErrNotFound.
	Entry(ctx context.Context, key string) (Entry, error)
	// KeysIn returns the live keys in r, in bytewise order.
	KeysIn(ctx context.Context, r Range) ([]string, error)
	// LenIn returns the number of live keys in r.
	LenIn(ctx context.Context, r Range) (int, error)
	// AllIn streams the live entries in r in key order.
	AllIn(ctx context.Context, r Range) iter.Seq2[Entry, error]
	// History returns the rows of key still in the journal, oldest first.
	History(ctx context.Context, key string) ([]Entry, error)
}

// Store is a whole journal: its head, its writes, its past and its future.
// *Dict implements it over SQL; package client implements it over HTTP.
// Packages built on a journal (mirror, typed, snapshot) take a Store so
// that they work the same on both.
type Store interface {
	Reader
	// Set writes value under key as a new version.
	Set(ctx context.Context, key string, value []byte) error
	// Delete appends a tombstone for key, or fails with ErrNotFound.
	Delete(ctx context.Context, key string) error
	// Commit applies writes atomically as consecutive journal rows.
	Commit(ctx context.Context, writes ...Write) ([]Entry, error)
	// Snapshot returns the read-only view right after commit seq.
	Snapshot(ctx context.Context, seq int64) (*Snapshot, error)
	// Watch streams every committed entry with Sequence > after and a key
	// in r, in sequence order, until ctx ends (see Dict.Watch).
	Watch(ctx context.Context, after int64, r Range) iter.Seq2[Entry, error]
	// Stat reads the journal's newest sequence and prune horizon.
	Stat(ctx context.Context) (Stats, error)
	// SequenceAt resolves t to the newest commit with created <= t (see
	// Dict.SequenceAt): what snapshot.AsOf needs.
	SequenceAt(ctx context.Context, t time.Time) (int64, error)
	// Log streams the rows with after < sequence <= until in commit order,
	// deletions included (see Dict.Log): what snapshot.Diff reads.
	Log(ctx context.Context, after, until int64) iter.Seq2[Entry, error]
}

var (
	_ Store  = (*Dict)(nil)
	_ Reader = (*Snapshot)(nil)
)
