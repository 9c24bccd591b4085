// Package mirror keeps an in-memory copy of a journal's live keys, current
// through Dict.Watch, for code that reads much more often than the journal
// changes: configuration, feature flags, routing tables.
//
// # Contract
//
// Start loads the keys of a range at one sequence from a Snapshot, then
// applies every later entry the journal's Watch delivers, in sequence
// order. The mirror is therefore exact at its Sequence: whenever
// Sequence() is S, Get, Has, Keys and Len answer what a Snapshot at S
// answers for the range, never a blend of two points. The mirror follows
// every key of the journal (to know its sequence even when commits touch
// nothing in its range) and keeps those in its range.
//
// A commit of several writes is several sequences, applied one by one; a
// reader may see the mirror between two of them, exactly as a Snapshot at
// that sequence would.
//
// Read-your-writes: a writer passes the Sequence of its last committed
// entry to WaitFor, which returns once the mirror has applied it.
//
// When a compaction removes entries the mirror had not read yet, its watch
// ends with sqldict.ErrPruned; the mirror then loads the range again at a
// newer sequence and reports it with an Event whose Reloaded is set. Other
// errors (a server restart, a network outage) are retried until Close; only
// sqldict.ErrClosed from the Store stops the mirror for good (see Err).
//
// Reads take a read lock and touch only memory: a Get costs a map lookup,
// allocates nothing and never waits for the database. Values returned are
// the mirror's own and must not be modified. A Mirror is safe for
// concurrent use.
package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// DefaultRetry is Options.Retry when it is zero.
const DefaultRetry = time.Second

// Options configure a Mirror. The zero value works.
type Options struct {
	// OnChange, when set, is called after each change is applied: one
	// Event per entry in the mirror's range, and one per reload. It runs on
	// the mirror's goroutine, in sequence order, and the mirror waits for
	// it: keep it short, and do not call WaitFor for a sequence beyond the
	// event's from inside it. Reads of the mirror inside OnChange see the
	// state right after the event.
	OnChange func(Event)

	// Retry is how long the mirror waits before watching again after an
	// error other than ErrPruned and ErrClosed. Zero: DefaultRetry.
	Retry time.Duration

	// Logger receives the errors the mirror retries. Zero: nothing is
	// logged.
	Logger *slog.Logger
}

// Event is one change of a Mirror.
type Event struct {
	// Entry is the journal entry applied (Deleted set for a deletion); zero
	// when Reloaded.
	Entry sqldict.Entry
	// Reloaded reports that entries the mirror needed were pruned away and
	// it loaded its whole range again at Sequence: changes between the
	// previous event and this one were not delivered one by one.
	Reloaded bool
	// Sequence is the mirror's sequence after the event.
	Sequence int64
}

// Mirror is an in-memory copy of the live keys of one range of a journal.
type Mirror struct {
	s    sqldict.Store
	r    sqldict.Range
	opts Options

	mu       sync.RWMutex
	data     map[string]*sqldict.Entry
	seq      int64
	advanced chan struct{} // closed and replaced when seq grows or the mirror stops
	err      error         // why the mirror stopped; nil while it runs

	cancel context.CancelFunc
	done   chan struct{}
}

// Start loads the live keys of r from s at its newest sequence and keeps
// them current until Close. ctx bounds the load only. r selects keys as in
// sqldict.Dict.KeysIn; a Limit is refused with sqldict.ErrInvalidArgument.
func Start(ctx context.Context, s sqldict.Store, r sqldict.Range) (*Mirror, error) {
	return StartWith(ctx, s, r, Options{})
}

// StartWith is Start with Options.
func StartWith(ctx context.Context, s sqldict.Store, r sqldict.Range, opts Options) (*Mirror, error) {
	if r.Limit != 0 {
		return nil, fmt.Errorf("%w: a mirror holds its whole range, Limit %d", sqldict.ErrInvalidArgument, r.Limit)
	}
	if opts.Retry <= 0 {
		opts.Retry = DefaultRetry
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Mirror{s: s, r: r, opts: opts, advanced: make(chan struct{}), done: make(chan struct{})}
	data, seq, err := m.load(ctx)
	if err != nil {
		return nil, err
	}
	m.data, m.seq = data, seq
	follow, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	go m.follow(follow)
	return m, nil
}

// load reads the range at one sequence.
func (m *Mirror) load(ctx context.Context) (map[string]*sqldict.Entry, int64, error) {
	for {
		st, err := m.s.Stat(ctx)
		if err != nil {
			return nil, 0, err
		}
		data, err := m.loadAt(ctx, st.Sequence)
		if errors.Is(err, sqldict.ErrPruned) && ctx.Err() == nil {
			continue // a compaction passed the sequence just read: take a newer one
		}
		return data, st.Sequence, err
	}
}

func (m *Mirror) loadAt(ctx context.Context, seq int64) (map[string]*sqldict.Entry, error) {
	snap, err := m.s.Snapshot(ctx, seq)
	if err != nil {
		return nil, err
	}
	data := map[string]*sqldict.Entry{}
	for e, err := range snap.AllIn(ctx, m.r) {
		if err != nil {
			return nil, err
		}
		data[e.Key] = &e
	}
	return data, nil
}

// follow applies the watch until the mirror is closed or its Store is.
func (m *Mirror) follow(ctx context.Context) {
	defer close(m.done)
	for {
		err := m.watch(ctx)
		switch {
		case ctx.Err() != nil:
			m.stop(sqldict.ErrClosed)
			return
		case errors.Is(err, sqldict.ErrClosed):
			m.stop(err)
			return
		case errors.Is(err, sqldict.ErrPruned):
			data, seq, lerr := m.load(ctx)
			if lerr == nil {
				m.mu.Lock()
				m.data, m.seq = data, seq
				m.signal()
				m.mu.Unlock()
				m.opts.Logger.Info("mirror: watch pruned away, reloaded", "sequence", seq, "err", err)
				if m.opts.OnChange != nil {
					m.opts.OnChange(Event{Reloaded: true, Sequence: seq})
				}
				continue
			}
			err = lerr
		}
		m.opts.Logger.Warn("mirror: watch failed, retrying", "sequence", m.Sequence(), "wait", m.opts.Retry, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(m.opts.Retry):
		}
	}
}

// watch applies entries from the mirror's sequence on; it returns the error
// that ended the watch.
func (m *Mirror) watch(ctx context.Context) error {
	for e, err := range m.s.Watch(ctx, m.Sequence(), sqldict.Range{}) {
		if err != nil {
			return err
		}
		in := m.r.Contains(e.Key)
		m.mu.Lock()
		if in {
			if e.Deleted {
				delete(m.data, e.Key)
			} else {
				m.data[e.Key] = &e
			}
		}
		m.seq = e.Sequence
		m.signal()
		m.mu.Unlock()
		if in && m.opts.OnChange != nil {
			m.opts.OnChange(Event{Entry: e, Sequence: e.Sequence})
		}
	}
	return errors.New("mirror: watch ended without an error")
}

// signal wakes WaitFor; m.mu is held.
func (m *Mirror) signal() {
	close(m.advanced)
	m.advanced = make(chan struct{})
}

func (m *Mirror) stop(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
	m.signal()
}

// Get returns key's value and true, or nil and false when key is not live
// at the mirror's sequence or not in its range. The value is the mirror's
// own, shared with every reader, so that a Get costs a map lookup and no
// allocation: do not modify it (copy it with slices.Clone first).
func (m *Mirror) Get(key string) ([]byte, bool) {
	m.mu.RLock()
	e, ok := m.data[key]
	m.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return e.Value, true
}

// Entry returns key's newest entry (value, version, sequence, metadata);
// its Value is shared like Get's: do not modify it.
func (m *Mirror) Entry(key string) (sqldict.Entry, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if e, ok := m.data[key]; ok {
		return *e, true
	}
	return sqldict.Entry{}, false
}

// Has reports whether key is live at the mirror's sequence.
func (m *Mirror) Has(key string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.data[key]
	return ok
}

// Keys returns the live keys in bytewise order.
func (m *Mirror) Keys() []string {
	m.mu.RLock()
	keys := make([]string, 0, len(m.data))
	for k := range m.data {
		keys = append(keys, k)
	}
	m.mu.RUnlock()
	slices.Sort(keys)
	return keys
}

// Len returns the number of live keys.
func (m *Mirror) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.data)
}

// Sequence returns the sequence the mirror is exact at.
func (m *Mirror) Sequence() int64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.seq
}

// Read calls fn with the mirror held still at one sequence, for reads that
// must agree with each other (several Gets, a Keys and the Sequence they
// belong to). fn must not call the Mirror's other methods that lock, nor
// keep or modify the map or the entries it holds.
func (m *Mirror) Read(fn func(seq int64, entries map[string]*sqldict.Entry)) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	fn(m.seq, m.data)
}

// WaitFor returns once the mirror's sequence is at least seq: after a write
// that returned entries up to seq, the mirror shows it. It fails with ctx's
// error when ctx ends first, and with Err when the mirror stopped.
func (m *Mirror) WaitFor(ctx context.Context, seq int64) error {
	for {
		m.mu.RLock()
		cur, advanced, err := m.seq, m.advanced, m.err
		m.mu.RUnlock()
		if cur >= seq {
			return nil
		}
		if err != nil {
			return err
		}
		select {
		case <-advanced:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Err returns why the mirror stopped following the journal: ErrClosed after
// Close or when the Store was closed; nil while it follows.
func (m *Mirror) Err() error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.err
}

// Close stops following the journal and waits for the mirror's goroutine.
// The mirror's content stays readable at its last sequence. Close is
// idempotent.
func (m *Mirror) Close() error {
	m.cancel()
	<-m.done
	return nil
}
