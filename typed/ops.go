package typed

import (
	"context"
	"fmt"
	"iter"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// Get returns the value of key. It fails with sqldict.ErrNotFound when the
// key has no live value, and also (matching ErrExpired too) when its value
// has expired by Options.Now; with ErrDecrypt, ErrUnknownKey, ErrFormat or
// ErrDecode when the stored value cannot be read back.
func (d *Dict[T]) Get(ctx context.Context, key string) (T, error) {
	var zero T
	if err := d.canRead(); err != nil {
		return zero, err
	}
	raw, err := d.store.Get(ctx, key)
	if err != nil {
		return zero, err
	}
	v, exp, err := d.open(key, raw)
	if expired(exp, d.opts.Now()) {
		// Expired is absent, whatever the payload: no decryption error
		// for a value nobody may read any more.
		return zero, expiredErr(key, exp)
	}
	return v, err
}

// Has reports whether key has a live, unexpired value. It reads the value's
// header only: no decryption, no decoding.
func (d *Dict[T]) Has(ctx context.Context, key string) (bool, error) {
	if err := d.canRead(); err != nil {
		return false, err
	}
	return has(ctx, d, d.store, key, d.opts.Now())
}

// Entry returns the newest row of key, a tombstone included, decoded, with
// Expired judged by Options.Now; sqldict.ErrNotFound when the key was never
// written.
func (d *Dict[T]) Entry(ctx context.Context, key string) (Entry[T], error) {
	if err := d.canRead(); err != nil {
		return Entry[T]{}, err
	}
	e, err := d.store.Entry(ctx, key)
	if err != nil {
		return Entry[T]{}, err
	}
	return d.entry(e, d.opts.Now())
}

// History returns every row of key still in the journal, oldest first,
// decoded (expired versions included, marked Expired). One row that cannot
// be read back (a key missing from the keyring) fails the whole call.
func (d *Dict[T]) History(ctx context.Context, key string) ([]Entry[T], error) {
	if err := d.canRead(); err != nil {
		return nil, err
	}
	return history(ctx, d, d.store, key, d.opts.Now())
}

// All streams the live, unexpired entries in r, in key order, decoded.
func (d *Dict[T]) All(ctx context.Context, r sqldict.Range) iter.Seq2[Entry[T], error] {
	if err := d.canRead(); err != nil {
		return func(yield func(Entry[T], error) bool) { yield(Entry[T]{}, err) }
	}
	return all(ctx, d, d.store, r, d.opts.Now())
}

// KeysIn returns the keys in r whose value is live and unexpired by
// Options.Now, in bytewise order. Unlike the Store's KeysIn it reads each
// value's header (not decrypting or decoding it), so it costs a scan of the
// values in r; r.Limit applies before expired keys are left out.
func (d *Dict[T]) KeysIn(ctx context.Context, r sqldict.Range) ([]string, error) {
	if err := d.canRead(); err != nil {
		return nil, err
	}
	return keysIn(ctx, d, d.store, r, d.opts.Now())
}

// Watch streams every committed entry with Sequence > after and a key in
// r, decoded, in sequence order, as the Store's Watch does (each exactly
// once; ErrPruned when pruning overtook it; ctx's error at the end).
// Expired is judged by Options.Now at delivery. An entry that cannot be
// read back (ErrDecrypt, ErrFormat …) is yielded with its error and ends the
// stream, so a watcher never silently skips one.
func (d *Dict[T]) Watch(ctx context.Context, after int64, r sqldict.Range) iter.Seq2[Entry[T], error] {
	if err := d.canRead(); err != nil {
		return func(yield func(Entry[T], error) bool) { yield(Entry[T]{}, err) }
	}
	return func(yield func(Entry[T], error) bool) {
		for e, err := range d.store.Watch(ctx, after, r) {
			if err != nil {
				yield(Entry[T]{}, err)
				return
			}
			te, err := d.entry(e, d.opts.Now())
			if !yield(te, err) || err != nil {
				return
			}
		}
	}
}

// Set writes value under key as a new version that never expires.
func (d *Dict[T]) Set(ctx context.Context, key string, value T) error {
	_, err := d.Commit(ctx, Write[T]{Key: key, Value: value})
	return err
}

// SetTTL writes value under key, expiring ttl after Options.Now. A ttl <= 0
// fails with sqldict.ErrInvalidArgument.
func (d *Dict[T]) SetTTL(ctx context.Context, key string, value T, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("%w: ttl %v: want a positive duration", sqldict.ErrInvalidArgument, ttl)
	}
	_, err := d.Commit(ctx, Write[T]{Key: key, Value: value, ExpiresAt: d.opts.Now().Add(ttl)})
	return err
}

// Delete appends a tombstone for key; sqldict.ErrNotFound when it has no
// live value in the journal (an expired value not yet swept is still there
// to delete).
func (d *Dict[T]) Delete(ctx context.Context, key string) error {
	if err := d.canWrite(); err != nil {
		return err
	}
	return d.store.Delete(ctx, key)
}

// Commit validates and seals every write, then commits them atomically
// through the Store (sqldict.Dict.Commit: all or nothing, the same errors).
// A write that fails validation or encoding fails the whole Commit before
// anything reaches the Store. The returned entries carry the written
// values.
func (d *Dict[T]) Commit(ctx context.Context, writes ...Write[T]) ([]Entry[T], error) {
	if err := d.canWrite(); err != nil {
		return nil, err
	}
	ws := make([]sqldict.Write, len(writes))
	for i, w := range writes {
		ws[i] = sqldict.Write{Key: w.Key, Delete: w.Delete, IfVersion: w.IfVersion, Author: w.Author, Comment: w.Comment}
		if w.Delete {
			continue
		}
		raw, err := d.seal(w.Key, w.Value, w.ExpiresAt)
		if err != nil {
			return nil, err
		}
		ws[i].Value = raw
	}
	es, err := d.store.Commit(ctx, ws...)
	if err != nil {
		return nil, err
	}
	out := make([]Entry[T], len(es))
	now := d.opts.Now()
	for i, e := range es {
		out[i] = Entry[T]{
			Key: e.Key, Deleted: e.Deleted, Sequence: e.Sequence, Version: e.Version,
			Created: e.Created, Author: e.Author, Comment: e.Comment,
		}
		if !e.Deleted {
			out[i].Value = writes[i].Value
			if !writes[i].ExpiresAt.IsZero() {
				out[i].Expires = writes[i].ExpiresAt.UTC().Truncate(time.Microsecond)
				out[i].Expired = expired(out[i].Expires, now)
			}
		}
	}
	return out, nil
}

// The reads below serve the head (Dict) and views (View) alike: r is the
// store or a snapshot, at the time expiry is judged by.

func has[T any](ctx context.Context, d *Dict[T], r sqldict.Reader, key string, at time.Time) (bool, error) {
	e, err := r.Entry(ctx, key)
	if err != nil || e.Deleted {
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	}
	exp, err := d.expiry(e.Value)
	if err != nil {
		return false, fmt.Errorf("%q: %w", key, err)
	}
	return !expired(exp, at), nil
}

func history[T any](ctx context.Context, d *Dict[T], r sqldict.Reader, key string, at time.Time) ([]Entry[T], error) {
	es, err := r.History(ctx, key)
	if err != nil {
		return nil, err
	}
	out := make([]Entry[T], len(es))
	for i, e := range es {
		if out[i], err = d.entry(e, at); err != nil {
			return nil, fmt.Errorf("version %d: %w", e.Version, err)
		}
	}
	return out, nil
}

func all[T any](ctx context.Context, d *Dict[T], r sqldict.Reader, rg sqldict.Range, at time.Time) iter.Seq2[Entry[T], error] {
	return func(yield func(Entry[T], error) bool) {
		for e, err := range r.AllIn(ctx, rg) {
			if err != nil {
				yield(Entry[T]{}, err)
				return
			}
			exp, err := d.expiry(e.Value)
			if err == nil && expired(exp, at) {
				continue
			}
			te, err := d.entry(e, at)
			if !yield(te, err) || err != nil {
				return
			}
		}
	}
}

func keysIn[T any](ctx context.Context, d *Dict[T], r sqldict.Reader, rg sqldict.Range, at time.Time) ([]string, error) {
	keys := []string{}
	for e, err := range r.AllIn(ctx, rg) {
		if err != nil {
			return nil, err
		}
		exp, err := d.expiry(e.Value)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", e.Key, err)
		}
		if !expired(exp, at) {
			keys = append(keys, e.Key)
		}
	}
	return keys, nil
}
