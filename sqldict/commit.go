package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// Set writes value under key as a new version. A nil value is stored as an
// empty value, not as a deletion.
func (d *Dict) Set(ctx context.Context, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	_, err := d.Commit(ctx, Write{Key: key, Value: value})
	return err
}

// Delete appends a tombstone for key. It fails with ErrNotFound, writing
// nothing, when the key has no live value.
func (d *Dict) Delete(ctx context.Context, key string) error {
	_, err := d.Commit(ctx, Write{Key: key, Delete: true})
	return err
}

// Commit applies writes atomically as consecutive journal rows: all of them
// or, on any error, none. Writes apply in order, so a key may appear more
// than once and each occurrence is a version of its own. A write's
// IfVersion is checked against the version the earlier writes of the commit
// left. A Delete of a key with no live value fails the commit with
// ErrNotFound; a failed expectation with a *ConflictError. Commit returns
// the appended entries, in order, without their values. Committing no
// writes does nothing.
//
// Concurrent Commit calls on one Dict coalesce into one transaction while
// another is in flight (group commit, see group.go): each call is still all
// or nothing with its own checks. A call whose ctx ends while it waits in
// line returns the ctx error having written nothing; once its writes are in
// a transaction that commits, it returns nil.
func (d *Dict) Commit(ctx context.Context, writes ...Write) ([]Entry, error) {
	return d.commit(ctx, writes, nil)
}

// Put appends one write, like Commit, and reports whether its key had no
// live value before it (never written, or its newest version a deletion):
// whether the write created the key, which an HTTP PUT answers with 201
// rather than 200. The answer is taken inside the write's transaction,
// from the head the write's own checks read, so it is exact whatever other
// writers do, in this process or others, and costs no read of its own.
func (d *Dict) Put(ctx context.Context, w Write) (e Entry, created bool, err error) {
	absent := make([]bool, 1)
	es, err := d.commit(ctx, []Write{w}, absent)
	if err != nil {
		return Entry{}, false, err
	}
	return es[0], absent[0], nil
}

// commit is Commit; absent, when not nil, receives for each write whether
// its key had no live value before it.
func (d *Dict) commit(ctx context.Context, writes []Write, absent []bool) ([]Entry, error) {
	if err := d.begin(ctx); err != nil {
		return nil, err
	}
	for i := range writes {
		if err := d.checkWrite(&writes[i]); err != nil {
			return nil, err
		}
	}
	if len(writes) == 0 {
		return nil, nil
	}
	if d.opts.ReadOnly {
		return nil, ErrReadOnly
	}
	release, err := d.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return d.group.commit(ctx, d, writes, absent)
}

type keyState struct {
	version int64
	deleted bool // also true for a key never written
}

// plan checks writes against states, the head as the commit's earlier
// writes left it, and returns their entries numbered after w.lastSeq. On
// success it advances states and w.lastSeq past them; on a failed check it
// changes neither, so the caller may go on without these writes. absent,
// when not nil, receives for each write whether its key had no live value
// before it.
func (d *Dict) plan(w *wtx, states map[string]keyState, writes []Write, absent []bool) ([]Entry, error) {
	touched := make(map[string]keyState, len(writes))
	state := func(k string) keyState {
		if st, ok := touched[k]; ok {
			return st
		}
		return states[k]
	}
	seq := w.lastSeq
	entries := make([]Entry, len(writes))
	for i, wr := range writes {
		st := state(wr.Key)
		if v, set := wr.IfVersion.Version(); set {
			live := st.version
			if st.deleted {
				live = 0
			}
			if v != live && (v != st.version || !st.deleted) {
				return nil, &ConflictError{Key: wr.Key, Expected: v, Actual: live}
			}
		}
		if wr.Delete && st.deleted {
			return nil, fmt.Errorf("%w: delete %q", ErrNotFound, wr.Key)
		}
		if absent != nil {
			absent[i] = st.deleted
		}
		st = keyState{version: st.version + 1, deleted: wr.Delete}
		touched[wr.Key] = st
		seq++
		entries[i] = Entry{
			Key: wr.Key, Deleted: wr.Delete, Sequence: seq, Version: st.version,
			Created: w.now, Author: wr.Author, Comment: wr.Comment,
		}
	}
	maps.Copy(states, touched)
	w.lastSeq = seq
	return entries, nil
}

// applyBatch appends the writes of every member of a group commit inside
// w, each checked in queue order against the head as the members before
// it left it. A member whose check fails, or whose context ended, is left
// out with its error in out; the others' rows are written together.
func (d *Dict) applyBatch(w *wtx, members []*request) error {
	var all []Write
	for _, m := range members {
		all = append(all, m.writes...)
	}
	states, err := d.currentAll(w, all)
	if err != nil {
		return err
	}
	prior := maps.Clone(states) // before this transaction
	var writes []Write
	var entries []Entry
	type span struct {
		m     *request
		lo    int                 // index of the member's first entry
		prior map[string]keyState // the keys it wrote, before it
	}
	var spans []span
	for _, m := range members {
		m.entries, m.err = nil, nil
		if err := ctxDone(m.ctx); err != nil {
			m.err = err // not written yet: leaving it out is all or nothing
			continue
		}
		var before map[string]keyState
		if d.opts.PruneOnWrite {
			before = make(map[string]keyState, len(m.writes))
			for _, wr := range m.writes {
				before[wr.Key] = states[wr.Key]
			}
		}
		es, err := d.plan(w, states, m.writes, m.absent)
		if err != nil {
			m.err = err
			continue
		}
		m.entries = es
		spans = append(spans, span{m, len(entries), before})
		writes = append(writes, m.writes...)
		entries = append(entries, es...)
	}
	if len(entries) == 0 {
		return nil
	}
	w.live += liveDelta(prior, states)
	if d.q.AppendAll != "" && !d.opts.PruneOnWrite && fitsOneStatement(writes) {
		return d.appendAll(w, writes, entries)
	}
	if err := d.insert(w, writes, entries); err != nil {
		return err
	}
	if err := d.upsertHead(w, entries); err != nil {
		return err
	}
	if d.opts.PruneOnWrite {
		for _, sp := range spans {
			if err := d.pruneWritten(w, entries[sp.lo:sp.lo+len(sp.m.entries)], sp.prior); err != nil {
				return err
			}
		}
	}
	return nil
}

// liveDelta is how a commit changes the number of live keys: +1 for each key
// it leaves live that was not, -1 for each it leaves deleted that was live.
// before and after hold every key the commit wrote (a key never written
// reads as deleted), so the count needs no query of its own.
func liveDelta(before, after map[string]keyState) int64 {
	var n int64
	for k, a := range after {
		switch b := before[k]; {
		case b.deleted && !a.deleted:
			n++
		case !b.deleted && a.deleted:
			n--
		}
	}
	return n
}

// inChunk is how many labels one IN list or head upsert carries.
const inChunk = 256

// currentAll reads the head state of every key the writes name, inside the
// write transaction: one point query for a single key, one array query
// when the dialect has one, IN lists otherwise.
func (d *Dict) currentAll(w *wtx, writes []Write) (map[string]keyState, error) {
	states := make(map[string]keyState, len(writes))
	if len(writes) == 1 {
		st, err := d.current(w, writes[0].Key)
		states[writes[0].Key] = st
		return states, err
	}
	if d.q.CurrentAny != "" {
		keys := make([]string, 0, len(writes))
		for _, wr := range writes {
			if _, seen := states[wr.Key]; !seen {
				states[wr.Key] = keyState{deleted: true} // until the head says otherwise
				keys = append(keys, wr.Key)
			}
		}
		return states, d.readStates(w, d.q.CurrentAny, []any{keys}, states)
	}
	keys := make([]any, 0, min(len(writes), inChunk))
	for _, wr := range writes {
		if _, seen := states[wr.Key]; seen {
			continue
		}
		states[wr.Key] = keyState{deleted: true} // until the head says otherwise
		keys = append(keys, wr.Key)
		if len(keys) == inChunk {
			if err := d.currentIn(w, keys, states); err != nil {
				return nil, err
			}
			keys = keys[:0]
		}
	}
	if len(keys) > 0 {
		if err := d.currentIn(w, keys, states); err != nil {
			return nil, err
		}
	}
	return states, nil
}

func (d *Dict) currentIn(w *wtx, keys []any, states map[string]keyState) error {
	return d.readStates(w, d.text(d.q.CurrentIn, "", 1, len(keys)), keys, states) // one group: "(?, ?, …)"
}

// readStates runs q, which returns (label, version, is_deleted) rows, into
// states.
func (d *Dict) readStates(w *wtx, q string, args []any, states map[string]keyState) error {
	rows, err := w.query(q, args...)
	if err != nil {
		return fmt.Errorf("read versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var st keyState
		if err := rows.Scan(&k, &st.version, &st.deleted); err != nil {
			return fmt.Errorf("read versions: %w", err)
		}
		states[k] = st
	}
	return rows.Err()
}

// current reads a key's head state inside the write transaction.
func (d *Dict) current(w *wtx, key string) (keyState, error) {
	var st keyState
	err := w.queryRow(d.q.Current, key).Scan(&st.version, &st.deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return keyState{deleted: true}, nil
	}
	if err != nil {
		return st, fmt.Errorf("read version of %q: %w", key, err)
	}
	return st, nil
}

// upsertHead points each written key's head row at its last entry of the
// commit.
func (d *Dict) upsertHead(w *wtx, entries []Entry) error {
	if d.q.HeadUpsertAny != "" {
		return d.upsertHeadAny(w, entries)
	}
	last := lastOfKey(entries)
	args := make([]any, 0, 4*min(len(last), inChunk))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		q := d.text(d.q.HeadUpsert, d.q.HeadUpsertTail, len(args)/4, 4)
		if _, err := w.exec(q, args...); err != nil {
			return fmt.Errorf("update head: %w", err)
		}
		args = args[:0]
		return nil
	}
	for i, e := range entries {
		if last[e.Key] != i {
			continue
		}
		args = append(args, e.Key, e.Sequence, e.Version, e.Deleted)
		if len(args) == 4*inChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// upsertHeadAny is upsertHead in one statement of arrays.
func (d *Dict) upsertHeadAny(w *wtx, entries []Entry) error {
	if _, err := w.exec(d.q.HeadUpsertAny, headArrays(entries)...); err != nil {
		return fmt.Errorf("update head: %w", err)
	}
	return nil
}

// headArrays is the parameters of HeadUpsertAny: each key's last entry.
func headArrays(entries []Entry) []any {
	last := lastOfKey(entries)
	n := len(last)
	labels, seqs, versions, deleted := make([]string, 0, n), make([]int64, 0, n), make([]int64, 0, n), make([]bool, 0, n)
	for i, e := range entries {
		if last[e.Key] == i {
			labels, seqs = append(labels, e.Key), append(seqs, e.Sequence)
			versions, deleted = append(versions, e.Version), append(deleted, e.Deleted)
		}
	}
	return []any{labels, seqs, versions, deleted}
}

// lastOfKey maps each key of entries to the index of its last entry: the
// row its head points at after the commit.
func lastOfKey(entries []Entry) map[string]int {
	last := make(map[string]int, len(entries))
	for i, e := range entries {
		last[e.Key] = i
	}
	return last
}

// noteLast keeps the commit's newest row, value included, so that a COMMIT
// whose answer is lost can be resolved by looking for it.
func (w *wtx) noteLast(writes []Write, entries []Entry) {
	if n := len(writes); n > 0 {
		last := entries[n-1]
		last.Value = writes[n-1].Value
		w.last = &last
	}
}

// Rows per INSERT statement, and the bytes of values one statement carries
// at most (a single larger value goes alone): well inside every engine's
// parameter and packet limits. An INSERT of arrays (InsertAny) has no
// parameter limit and takes up to insertAnyRows.
const (
	insertRows    = 128
	insertAnyRows = 4096
	insertBytes   = 4 << 20
)

func (d *Dict) insert(w *wtx, writes []Write, entries []Entry) error {
	w.noteLast(writes, entries)
	if d.q.InsertAny != "" {
		return d.insertAny(w, writes, entries)
	}
	args := make([]any, 0, 8*min(len(writes), insertRows))
	rows, size := 0, 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		if _, err := w.exec(d.text(d.q.Insert, "", rows, 8), args...); err != nil {
			return fmt.Errorf("append %d rows: %w", rows, err)
		}
		args, rows, size = args[:0], 0, 0
		return nil
	}
	created := d.dialect.EncodeTime(w.now)
	for i := range writes {
		wr, e := &writes[i], &entries[i]
		if rows == insertRows || (rows > 0 && size+len(wr.Value) > insertBytes) {
			if err := flush(); err != nil {
				return err
			}
		}
		var item any = wr.Value
		if wr.Delete {
			item = nil
		} else if wr.Value == nil {
			item = []byte{}
		}
		args = append(args, e.Sequence, e.Key, item, e.Deleted, created, e.Version, e.Author, e.Comment)
		rows++
		size += len(wr.Value)
	}
	return flush()
}

// insertAny is insert with one statement of arrays per insertAnyRows rows
// or insertBytes of values.
func (d *Dict) insertAny(w *wtx, writes []Write, entries []Entry) error {
	created := d.dialect.EncodeTime(w.now)
	for lo := 0; lo < len(writes); {
		hi, size := lo, 0
		for hi < len(writes) && hi-lo < insertAnyRows && (hi == lo || size+len(writes[hi].Value) <= insertBytes) {
			size += len(writes[hi].Value)
			hi++
		}
		if _, err := w.exec(d.q.InsertAny, insertArrays(writes[lo:hi], entries[lo:hi], created)...); err != nil {
			return fmt.Errorf("append %d rows: %w", hi-lo, err)
		}
		lo = hi
	}
	return nil
}

// insertArrays is the parameters of InsertAny for writes and their entries.
func insertArrays(writes []Write, entries []Entry, created any) []any {
	n := len(writes)
	seqs, labels, items, deleted := make([]int64, n), make([]string, n), make([][]byte, n), make([]bool, n)
	versions, authors, comments := make([]int64, n), make([]string, n), make([]string, n)
	for i := range n {
		wr, e := &writes[i], &entries[i]
		seqs[i], labels[i], deleted[i] = e.Sequence, e.Key, e.Deleted
		versions[i], authors[i], comments[i] = e.Version, e.Author, e.Comment
		switch {
		case wr.Delete:
			items[i] = nil // NULL
		case wr.Value == nil:
			items[i] = []byte{}
		default:
			items[i] = wr.Value
		}
	}
	return []any{seqs, labels, items, deleted, created, versions, authors, comments}
}

// appendAll writes a whole commit in one statement (AppendAll): its rows,
// its keys' head rows, and the meta row as runOnce would advance it, which
// it then skips. Only for a commit that moves no horizon (no PruneOnWrite).
func (d *Dict) appendAll(w *wtx, writes []Write, entries []Entry) error {
	n := len(writes)
	w.noteLast(writes, entries)
	created := d.dialect.EncodeTime(w.now)
	args := insertArrays(writes, entries, created)
	args = append(args, headArrays(entries)...)
	args = append(args, w.lastSeq, created, w.horizon, w.live)
	if _, err := w.exec(d.q.AppendAll, args...); err != nil {
		return fmt.Errorf("append %d rows: %w", n, err)
	}
	w.advanced = true
	return nil
}

// fitsOneStatement reports whether writes may go in one statement of
// arrays: at most insertAnyRows rows and insertBytes of values.
func fitsOneStatement(writes []Write) bool {
	size := 0
	for i := range writes {
		size += len(writes[i].Value)
	}
	return fitsStatement(len(writes), size)
}

// fitsStatement is fitsOneStatement for rows writes of bytes of values.
func fitsStatement(rows, bytes int) bool {
	return rows <= insertAnyRows && bytes <= insertBytes
}

// text builds head + n groups of cols placeholders + tail: multi-row
// INSERTs and IN lists. Texts are cached: the same text is the same
// prepared statement.
func (d *Dict) text(head, tail string, n, cols int) string {
	type textKey struct {
		head    string
		n, cols int
	}
	if t, ok := d.texts.Load(textKey{head, n, cols}); ok {
		return t.(string)
	}
	var b strings.Builder
	b.WriteString(head)
	p := 1
	for r := range n {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteByte(',')
			}
			b.WriteString(d.dialect.Placeholder(p))
			p++
		}
		b.WriteByte(')')
	}
	b.WriteString(tail)
	t, _ := d.texts.LoadOrStore(textKey{head, n, cols}, b.String())
	return t.(string)
}

// pruneWritten removes the older rows of every key the commit wrote, and
// moves the horizon by the rule of PruneBatch: the removed rows are a prefix
// of the key's history, so the newest removed row decides. When it is live,
// the horizon moves to the key's last row in this commit, the row that
// replaced it; when it is a tombstone, to the tombstone's own sequence (the
// key reads as absent there either way).
func (d *Dict) pruneWritten(w *wtx, entries []Entry, prior map[string]keyState) error {
	type span struct {
		first, last int64
		before      *Entry // the key's row before last within this commit
	}
	spans := map[string]*span{}
	for i := range entries {
		e := &entries[i]
		sp, ok := spans[e.Key]
		if !ok {
			spans[e.Key] = &span{first: e.Sequence, last: e.Sequence}
			continue
		}
		sp.before = &entries[sp.last-entries[0].Sequence] // entries are consecutive
		sp.last = e.Sequence
	}
	for key, sp := range spans {
		var tombstone Entry // the key's head before the commit, when a tombstone
		if st := prior[key]; sp.before == nil && st.deleted && st.version > 0 {
			e, err := scanEntry(w.queryRow(d.q.EntryAt, key, sp.first-1))
			switch {
			case err == nil && e.Deleted:
				tombstone = e
			case err != nil && !errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("read head of %q: %w", key, err)
			}
		}
		res, err := w.exec(d.q.PruneKey, key, sp.last)
		if err != nil {
			return fmt.Errorf("prune %q: %w", key, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("prune %q: %w", key, err)
		}
		switch {
		case sp.before != nil && sp.before.Deleted:
			w.raiseHorizon(sp.before.Sequence, w.now)
		case sp.before != nil:
			w.raiseHorizon(sp.last, w.now)
		case n == 0:
			// Nothing older was left: nothing removed.
		case tombstone.Sequence > 0:
			w.raiseHorizon(tombstone.Sequence, tombstone.Created)
		default:
			w.raiseHorizon(sp.last, w.now)
		}
	}
	return nil
}
