package sqldicttest

import (
	"bytes"
	"context"
	"errors"
	"github.com/sqldict/sqldict/dialects"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// Must fails t on a non-nil err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// WantErr fails t unless errors.Is(err, target).
func WantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

var (
	must    = Must
	wantErr = WantErr
)

func wantGet(t testing.TB, d sqldict.Reader, key, want string) {
	t.Helper()
	got, err := d.Get(bg, key)
	must(t, err)
	if string(got) != want {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
}

func wantKeys(t testing.TB, got []string, err error, want ...string) {
	t.Helper()
	must(t, err)
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("keys = %q, want %q", got, want)
	}
}

func seqOf(t testing.TB, d sqldict.Store) int64 {
	t.Helper()
	st, err := d.Stat(bg)
	must(t, err)
	return st.Sequence
}

func testGetSetDelete(t *testing.T, d Journal) {
	_, err := d.Get(bg, "a")
	wantErr(t, err, sqldict.ErrNotFound)
	wantErr(t, d.Delete(bg, "a"), sqldict.ErrNotFound)
	if seqOf(t, d) != 0 {
		t.Fatal("a failed delete appended a row")
	}
	must(t, d.Set(bg, "a", []byte("1")))
	wantGet(t, d, "a", "1")
	must(t, d.Set(bg, "a", []byte("2")))
	wantGet(t, d, "a", "2")
	ok, err := d.Has(bg, "a")
	must(t, err)
	if !ok {
		t.Fatal("Has(a) = false after Set")
	}
	must(t, d.Delete(bg, "a"))
	_, err = d.Get(bg, "a")
	wantErr(t, err, sqldict.ErrNotFound)
	ok, err = d.Has(bg, "a")
	must(t, err)
	if ok {
		t.Fatal("Has(a) = true after Delete")
	}
	wantErr(t, d.Delete(bg, "a"), sqldict.ErrNotFound)
	must(t, d.Set(bg, "a", []byte("3")))
	wantGet(t, d, "a", "3")
	if got := seqOf(t, d); got != 4 {
		t.Fatalf("sequence = %d after 4 writes", got)
	}
}

func testValues(t *testing.T, d Journal) {
	must(t, d.Set(bg, "nil", nil))
	must(t, d.Set(bg, "empty", []byte{}))
	for _, k := range []string{"nil", "empty"} {
		v, err := d.Get(bg, k)
		must(t, err)
		if v == nil || len(v) != 0 {
			t.Fatalf("Get(%q) = %#v, want empty non-nil", k, v)
		}
	}
	bin := []byte{0, 0xff, 0xfe, 0, '\'', '"', '\\', 0x80, 0xc3, 0x28}
	must(t, d.Set(bg, "bin", bin))
	got, err := d.Get(bg, "bin")
	must(t, err)
	if !bytes.Equal(got, bin) {
		t.Fatalf("binary value = %x, want %x", got, bin)
	}
	big := bytes.Repeat([]byte{0, 1, 2, 0xff}, 1<<20) // 4 MiB
	must(t, d.Set(bg, "big", big))
	got, err = d.Get(bg, "big")
	must(t, err)
	if !bytes.Equal(got, big) {
		t.Fatalf("4 MiB value came back with %d bytes", len(got))
	}
	n, err := d.Len(bg)
	must(t, err)
	if n != 4 {
		t.Fatalf("Len = %d, want 4", n)
	}
}

// hostile keys: SQL metacharacters, LIKE wildcards, trailing spaces (which
// PAD SPACE collations would fold), case, multi-byte characters.
var hostile = []string{
	"a", "a ", "a  ", "A", "a%", "a_", "a\\", "a'", "a\"", "'; DROP TABLE x; --",
	"é", "e\u0301", "日本", "🙂", "\U0010FFFF", "a\tb", "a\nb", "z", "a\x01",
}

func testKeys(t *testing.T, d Journal) {
	keys, err := d.Keys(bg)
	wantKeys(t, keys, err)
	var ws []sqldict.Write
	for i, k := range hostile {
		ws = append(ws, sqldict.Write{Key: k, Value: []byte{byte(i)}})
	}
	_, err = d.Commit(bg, ws...)
	must(t, err)
	want := slices.Clone(hostile)
	slices.Sort(want) // Go sorts strings bytewise
	keys, err = d.Keys(bg)
	wantKeys(t, keys, err, want...)
	for i, k := range hostile {
		got, err := d.Get(bg, k)
		must(t, err)
		if len(got) != 1 || got[0] != byte(i) {
			t.Fatalf("Get(%q) = %v, want [%d]", k, got, i)
		}
	}
	n, err := d.Len(bg)
	must(t, err)
	if n != len(hostile) {
		t.Fatalf("Len = %d, want %d", n, len(hostile))
	}
	must(t, d.Delete(bg, "a "))
	want = slices.DeleteFunc(want, func(s string) bool { return s == "a " })

	var prefixed []string
	for _, k := range want {
		if strings.HasPrefix(k, "a") {
			prefixed = append(prefixed, k)
		}
	}
	keys, err = d.KeysIn(bg, sqldict.Range{Prefix: "a"})
	wantKeys(t, keys, err, prefixed...)
	n, err = d.LenIn(bg, sqldict.Range{Prefix: "a"})
	must(t, err)
	if n != len(prefixed) {
		t.Fatalf("LenIn(prefix a) = %d, want %d", n, len(prefixed))
	}
	keys, err = d.KeysIn(bg, sqldict.Range{Prefix: "\U0010FFFF"})
	wantKeys(t, keys, err, "\U0010FFFF")

	var inRange []string
	for _, k := range want {
		if k >= "a%" && k < "é" {
			inRange = append(inRange, k)
		}
	}
	keys, err = d.KeysIn(bg, sqldict.Range{From: "a%", To: "é"})
	wantKeys(t, keys, err, inRange...)

	// Paging by After + Limit visits every key once, in order.
	var paged []string
	after := ""
	for {
		page, err := d.KeysIn(bg, sqldict.Range{After: after, Limit: 4})
		must(t, err)
		if len(page) > 4 {
			t.Fatalf("page of %d keys with Limit 4", len(page))
		}
		paged = append(paged, page...)
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1]
	}
	wantKeys(t, paged, nil, want...)
	// The key right above After is not skipped (the core seeks to
	// After+"\x01": the least key above it).
	keys, err = d.KeysIn(bg, sqldict.Range{After: "a", Limit: 2})
	wantKeys(t, keys, err, "a\x01", "a\tb")
}

func testCommit(t *testing.T, d Journal) {
	must(t, d.Set(bg, "old", []byte("x")))
	entries, err := d.Commit(bg,
		sqldict.Write{Key: "k", Value: []byte("v1"), Author: "ana", Comment: "why"},
		sqldict.Write{Key: "k", Value: []byte("v2"), Author: "bo"},
		sqldict.Write{Key: "old", Delete: true, Comment: "gone"},
	)
	must(t, err)
	if len(entries) != 3 {
		t.Fatalf("Commit returned %d entries, want 3", len(entries))
	}
	for i, want := range []struct {
		seq, ver int64
		del      bool
	}{{2, 1, false}, {3, 2, false}, {4, 2, true}} {
		e := entries[i]
		if e.Sequence != want.seq || e.Version != want.ver || e.Deleted != want.del {
			t.Fatalf("entry %d = seq %d version %d deleted %v, want %+v", i, e.Sequence, e.Version, e.Deleted, want)
		}
		if !e.Created.Equal(entries[0].Created) {
			t.Fatalf("entries of one commit carry different times")
		}
	}
	wantGet(t, d, "k", "v2")
	hist, err := d.History(bg, "k")
	must(t, err)
	if len(hist) != 2 || hist[0].Author != "ana" || hist[0].Comment != "why" || hist[1].Author != "bo" {
		t.Fatalf("history metadata = %+v", hist)
	}

	// All or nothing: a failing write anywhere leaves nothing behind.
	before := seqOf(t, d)
	_, err = d.Commit(bg,
		sqldict.Write{Key: "n1", Value: []byte("x")},
		sqldict.Write{Key: "missing", Delete: true},
	)
	wantErr(t, err, sqldict.ErrNotFound)
	_, err = d.Commit(bg,
		sqldict.Write{Key: "n2", Value: []byte("x")},
		sqldict.Write{Key: "", Value: []byte("x")},
	)
	wantErr(t, err, sqldict.ErrInvalidKey)
	if seqOf(t, d) != before {
		t.Fatal("a failed commit appended rows")
	}
	for _, k := range []string{"n1", "n2"} {
		if ok, _ := d.Has(bg, k); ok {
			t.Fatalf("%s was written by a failed commit", k)
		}
	}
	entries, err = d.Commit(bg)
	must(t, err)
	if len(entries) != 0 || seqOf(t, d) != before {
		t.Fatal("an empty commit appended rows")
	}

	// A large batch lands whole, in order.
	var ws []sqldict.Write
	for i := range 1000 {
		ws = append(ws, sqldict.Write{Key: keyN(i), Value: []byte(keyN(i))})
	}
	entries, err = d.Commit(bg, ws...)
	must(t, err)
	if entries[999].Sequence != before+1000 {
		t.Fatalf("last of 1000 has sequence %d, want %d", entries[999].Sequence, before+1000)
	}
	wantGet(t, d, keyN(777), keyN(777))
}

func keyN(i int) string { return "key/" + string(rune('a'+i%26)) + "/" + itoa(i) }

func itoa(i int) string {
	const digits = "0123456789"
	b := []byte{digits[i/1000%10], digits[i/100%10], digits[i/10%10], digits[i%10]}
	return string(b)
}

func testConflicts(t *testing.T, d Journal) {
	_, err := d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("1"), IfVersion: sqldict.Expect(0)})
	must(t, err)
	_, err = d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("x"), IfVersion: sqldict.Expect(0)})
	wantErr(t, err, sqldict.ErrConflict)
	var ce *sqldict.ConflictError
	if !errors.As(err, &ce) || ce.Key != "k" || ce.Expected != 0 || ce.Actual != 1 {
		t.Fatalf("conflict error = %#v", err)
	}
	_, err = d.Commit(bg,
		sqldict.Write{Key: "other", Value: []byte("x")},
		sqldict.Write{Key: "k", Value: []byte("x"), IfVersion: sqldict.Expect(2)})
	wantErr(t, err, sqldict.ErrConflict)
	if ok, _ := d.Has(bg, "other"); ok {
		t.Fatal("a conflicting commit wrote its other writes")
	}
	_, err = d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("2"), IfVersion: sqldict.Expect(1)})
	must(t, err)
	_, err = d.Commit(bg, sqldict.Write{Key: "k", Delete: true, IfVersion: sqldict.Expect(2)})
	must(t, err)
	// Deleted at version 3: both "absent" and "at the tombstone" hold.
	_, err = d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("4"), IfVersion: sqldict.Expect(0)})
	must(t, err)
	must(t, d.Delete(bg, "k"))
	_, err = d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("6"), IfVersion: sqldict.Expect(5)})
	must(t, err)
	_, err = d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("x"), IfVersion: sqldict.Expect(5)})
	wantErr(t, err, sqldict.ErrConflict)
	// Expectations see earlier writes of the same commit.
	_, err = d.Commit(bg,
		sqldict.Write{Key: "k", Value: []byte("7"), IfVersion: sqldict.Expect(6)},
		sqldict.Write{Key: "k", Value: []byte("8"), IfVersion: sqldict.Expect(7)})
	must(t, err)
	wantGet(t, d, "k", "8")
}

func testHistory(t *testing.T, d Journal) {
	_, err := d.History(bg, "k")
	wantErr(t, err, sqldict.ErrNotFound)
	must(t, d.Set(bg, "k", []byte("a")))
	must(t, d.Set(bg, "other", []byte("o")))
	must(t, d.Set(bg, "k", []byte("b")))
	must(t, d.Delete(bg, "k"))
	hist, err := d.History(bg, "k")
	must(t, err)
	if len(hist) != 3 {
		t.Fatalf("history has %d entries, want 3", len(hist))
	}
	want := []struct {
		val      string
		seq, ver int64
		del      bool
	}{{"a", 1, 1, false}, {"b", 3, 2, false}, {"", 4, 3, true}}
	for i, w := range want {
		e := hist[i]
		if e.Key != "k" || string(e.Value) != w.val || e.Sequence != w.seq || e.Version != w.ver || e.Deleted != w.del {
			t.Fatalf("history[%d] = %+v, want %+v", i, e, w)
		}
		if e.Created.IsZero() || e.Created.Location() != time.UTC {
			t.Fatalf("history[%d].Created = %v, want a UTC time", i, e.Created)
		}
	}
	head, err := d.Entry(bg, "k")
	must(t, err)
	if !head.Deleted || head.Version != 3 || head.Sequence != 4 {
		t.Fatalf("Entry(k) = %+v, want the tombstone at version 3", head)
	}
	s, err := d.Snapshot(bg, 2)
	must(t, err)
	if e, err := s.Entry(bg, "k"); err != nil || string(e.Value) != "a" || e.Version != 1 {
		t.Fatalf("Entry(k) at 2 = %+v, %v", e, err)
	}
	_, err = s.Entry(bg, "nope")
	wantErr(t, err, sqldict.ErrNotFound)
	for i, h := range hist { // every version, the deleted one included
		e, err := d.Version(bg, "k", int64(i+1))
		must(t, err)
		if !reflect.DeepEqual(e, h) {
			t.Fatalf("Version(k, %d) = %+v, want history[%d] %+v", i+1, e, i, h)
		}
	}
	_, err = d.Version(bg, "k", 4)
	wantErr(t, err, sqldict.ErrNotFound)
	_, err = d.Version(bg, "nope", 1)
	wantErr(t, err, sqldict.ErrNotFound)
	_, err = d.Version(bg, "k", 0)
	wantErr(t, err, sqldict.ErrInvalidArgument)
	dict, ok := d.(*sqldict.Dict)
	if !ok {
		return // a client's pruned version: client tests compare with the Dict
	}
	_, err = dict.PruneBatch(bg, sqldict.PruneRule{Through: 3}) // k's version 1
	must(t, err)
	_, err = d.Version(bg, "k", 1)
	wantErr(t, err, sqldict.ErrPruned)
	if e, err := d.Version(bg, "k", 2); err != nil || !reflect.DeepEqual(e, hist[1]) {
		t.Fatalf("Version(k, 2) after pruning version 1 = %+v, %v", e, err)
	}
}

func testInvalidInput(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{KeyLength: 16, MaxValueSize: 1 << 10})
	bad := []string{"", strings.Repeat("x", 17), strings.Repeat("é", 9), "a\x00b", "\xff\xfe", "a\xc3"}
	for _, k := range bad {
		wantErr(t, d.Set(bg, k, []byte("v")), sqldict.ErrInvalidKey)
		_, err := d.Get(bg, k)
		wantErr(t, err, sqldict.ErrInvalidKey)
		_, err = d.History(bg, k)
		wantErr(t, err, sqldict.ErrInvalidKey)
	}
	must(t, d.Set(bg, strings.Repeat("x", 16), []byte("v"))) // exactly KeyLength bytes
	must(t, d.Set(bg, strings.Repeat("é", 8), []byte("v")))  // 16 bytes, 8 runes
	wantGet(t, d, strings.Repeat("x", 16), "v")              // not truncated
	wantErr(t, d.Set(bg, "big", make([]byte, 1<<10+1)), sqldict.ErrValueTooLarge)
	must(t, d.Set(bg, "fits", make([]byte, 1<<10)))
	_, err := d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("v"), Author: "\xff"})
	wantErr(t, err, sqldict.ErrInvalidArgument)
	_, err = d.Commit(bg, sqldict.Write{Key: "k", Value: []byte("v"), Delete: true})
	wantErr(t, err, sqldict.ErrInvalidArgument)
	_, err = d.KeysIn(bg, sqldict.Range{Limit: -1})
	wantErr(t, err, sqldict.ErrInvalidArgument)
	_, err = d.KeysIn(bg, sqldict.Range{Prefix: "a\x00"})
	wantErr(t, err, sqldict.ErrInvalidArgument)
	if got := seqOf(t, d); got != 3 {
		t.Fatalf("sequence = %d after 3 valid writes among invalid ones", got)
	}
	for _, name := range []string{"", "Bad", "1x", "a-b", "a b", "x;drop", strings.Repeat("a", 49)} {
		if name == "" {
			continue // empty means the default
		}
		if err := sqldict.ValidTable(name); !errors.Is(err, sqldict.ErrInvalidArgument) {
			t.Fatalf("ValidTable(%q) = %v, want ErrInvalidArgument", name, err)
		}
	}
	_, err = sqldict.OpenURL(bg, "ftp://x", sqldict.Options{})
	wantErr(t, err, sqldict.ErrInvalidArgument)
	_, err = sqldict.OpenURL(bg, "no scheme", sqldict.Options{})
	wantErr(t, err, sqldict.ErrInvalidArgument)
}

func testContextAndClose(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	must(t, d.Set(bg, "k", []byte("v")))
	ctx, cancel := context.WithCancel(bg)
	cancel()
	wantErr(t, d.Set(ctx, "k2", []byte("v")), context.Canceled)
	_, err := d.Commit(ctx, sqldict.Write{Key: "k3", Value: []byte("v")})
	wantErr(t, err, context.Canceled)
	_, err = d.Get(ctx, "k")
	wantErr(t, err, context.Canceled)
	_, err = d.Keys(ctx)
	wantErr(t, err, context.Canceled)
	if seqOf(t, d) != 1 {
		t.Fatal("a cancelled write appended a row")
	}

	// Cancelled half way through: all of a commit or none of it.
	ws := make([]sqldict.Write, 5000)
	for i := range ws {
		ws[i] = sqldict.Write{Key: keyN(i), Value: []byte("x")}
	}
	landed := seqOf(t, d)
	for i := range 8 {
		ctx, cancel := context.WithTimeout(bg, time.Duration(i)*2*time.Millisecond)
		_, err := d.Commit(ctx, ws...)
		cancel()
		if err == nil {
			landed += int64(len(ws))
		} else if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			t.Fatalf("commit under a deadline: %v, want nil or a context error", err)
		}
		if got := seqOf(t, d); got != landed {
			t.Fatalf("after commit %d (err %v): sequence %d, want %d", i, err, got, landed)
		}
	}

	d2 := open(t, sqldict.Options{Table: d.Table()})
	must(t, d2.Close())
	must(t, d2.Close()) // idempotent
	wantErr(t, d2.Set(bg, "k", []byte("v")), sqldict.ErrClosed)
	_, err = d2.Get(bg, "k")
	wantErr(t, err, sqldict.ErrClosed)
	_, err = d2.Keys(bg)
	wantErr(t, err, sqldict.ErrClosed)
	_, err = d2.Stat(bg)
	wantErr(t, err, sqldict.ErrClosed)
	for _, err := range d2.All(bg) {
		wantErr(t, err, sqldict.ErrClosed)
	}
	wantGet(t, d, "k", "v") // the other Dict on the same journal is unaffected

	ro := open(t, sqldict.Options{Table: d.Table(), ReadOnly: true})
	wantErr(t, ro.Set(bg, "k", []byte("x")), sqldict.ErrReadOnly)
	wantGet(t, ro, "k", "v")
}

func testSnapshots(t *testing.T, d Journal) {
	must(t, d.Set(bg, "a", []byte("a1"))) // 1
	must(t, d.Set(bg, "b", []byte("b1"))) // 2
	must(t, d.Set(bg, "a", []byte("a2"))) // 3
	must(t, d.Delete(bg, "b"))            // 4
	must(t, d.Set(bg, "c", []byte("c1"))) // 5
	want := map[int64]map[string]string{
		0: {},
		1: {"a": "a1"},
		2: {"a": "a1", "b": "b1"},
		3: {"a": "a2", "b": "b1"},
		4: {"a": "a2"},
		5: {"a": "a2", "c": "c1"},
	}
	for seq, state := range want {
		s, err := d.Snapshot(bg, seq)
		must(t, err)
		if s.Sequence() != seq {
			t.Fatalf("Sequence() = %d, want %d", s.Sequence(), seq)
		}
		checkView(t, s, state)
	}
	_, err := d.Snapshot(bg, 6)
	wantErr(t, err, sqldict.ErrFuture)
	_, err = d.Snapshot(bg, -1)
	wantErr(t, err, sqldict.ErrInvalidArgument)
	s2, err := d.Snapshot(bg, 2)
	must(t, err)
	// Writes after the point change nothing in the view.
	must(t, d.Set(bg, "a", []byte("a3")))
	must(t, d.Set(bg, "b", []byte("b2")))
	checkView(t, s2, want[2])
	hist, err := s2.History(bg, "a")
	must(t, err)
	if len(hist) != 1 || string(hist[0].Value) != "a1" {
		t.Fatalf("history of a at 2 = %+v", hist)
	}
	_, err = s2.History(bg, "c")
	wantErr(t, err, sqldict.ErrNotFound)
	if s2.Time().IsZero() {
		t.Fatal("snapshot at 2 has no time")
	}
}

// checkView compares a snapshot with a model state through every read.
func checkView(t testing.TB, s *sqldict.Snapshot, state map[string]string) {
	t.Helper()
	keys, err := s.Keys(bg)
	must(t, err)
	var want []string
	for k := range state {
		want = append(want, k)
	}
	slices.Sort(want)
	wantKeys(t, keys, nil, want...)
	n, err := s.Len(bg)
	must(t, err)
	if n != len(state) {
		t.Fatalf("at %d: Len = %d, want %d", s.Sequence(), n, len(state))
	}
	for _, k := range []string{"a", "b", "c", "zz"} {
		v, err := s.Get(bg, k)
		w, ok := state[k]
		if !ok {
			wantErr(t, err, sqldict.ErrNotFound)
			continue
		}
		must(t, err)
		if string(v) != w {
			t.Fatalf("at %d: Get(%q) = %q, want %q", s.Sequence(), k, v, w)
		}
	}
	var streamed []string
	for e, err := range s.All(bg) {
		must(t, err)
		if string(e.Value) != state[e.Key] {
			t.Fatalf("at %d: All yields %q=%q, want %q", s.Sequence(), e.Key, e.Value, state[e.Key])
		}
		streamed = append(streamed, e.Key)
	}
	wantKeys(t, streamed, nil, want...)
}

func testSequenceAt(t *testing.T, d Journal) {
	seq, err := d.SequenceAt(bg, time.Now().Add(-time.Hour))
	must(t, err)
	if seq != 0 {
		t.Fatalf("SequenceAt before any commit = %d", seq)
	}
	var created []time.Time
	for i := range 5 {
		e, err := d.Commit(bg, sqldict.Write{Key: "k", Value: []byte{byte(i)}})
		must(t, err)
		created = append(created, e[0].Created)
	}
	for i, c := range created {
		// Exactly at a commit's time resolves to the last commit of that
		// microsecond (several may share it).
		seq, err := d.SequenceAt(bg, c.In(time.FixedZone("X", -7*3600)))
		must(t, err)
		last := int64(i + 1)
		for j := i + 1; j < len(created) && created[j].Equal(c); j++ {
			last = int64(j + 1)
		}
		if seq != last {
			t.Fatalf("SequenceAt(created of %d) = %d, want %d", i+1, seq, last)
		}
		if i > 0 && created[i-1].Before(c) {
			seq, err := d.SequenceAt(bg, c.Add(-time.Microsecond))
			must(t, err)
			if seq != int64(i) {
				t.Fatalf("SequenceAt(just before %d) = %d, want %d", i+1, seq, i)
			}
		}
	}
	_, err = d.SequenceAt(bg, time.Now().Add(time.Hour))
	wantErr(t, err, sqldict.ErrFuture)
}

func testAll(t *testing.T, d Journal) {
	var ws []sqldict.Write
	const n = 1300 // more than two pages
	for i := range n {
		ws = append(ws, sqldict.Write{Key: keyN(i), Value: []byte(keyN(i))})
	}
	_, err := d.Commit(bg, ws...)
	must(t, err)
	must(t, d.Delete(bg, keyN(5)))
	var keys []string
	for e, err := range d.All(bg) {
		must(t, err)
		if string(e.Value) != e.Key {
			t.Fatalf("All yields %q=%q", e.Key, e.Value)
		}
		keys = append(keys, e.Key)
		if len(keys) == 700 {
			// A write in the middle of a scan is not seen by it.
			must(t, d.Set(bg, "key/zzzz", []byte("late")))
		}
	}
	if len(keys) != n-1 || !slices.IsSorted(keys) {
		t.Fatalf("All yielded %d keys (sorted %v), want %d", len(keys), slices.IsSorted(keys), n-1)
	}
	count := 0
	for e, err := range d.AllIn(bg, sqldict.Range{Prefix: "key/b/", Limit: 10}) {
		must(t, err)
		if !strings.HasPrefix(e.Key, "key/b/") {
			t.Fatalf("AllIn(prefix) yields %q", e.Key)
		}
		count++
	}
	if count != 10 {
		t.Fatalf("AllIn with Limit 10 yields %d", count)
	}
	for range d.All(bg) {
		break // stopping early must not leak or panic
	}
}

func testLog(t *testing.T, d Journal) {
	var ws []sqldict.Write
	for i := range 600 {
		ws = append(ws, sqldict.Write{Key: keyN(i % 50), Value: []byte{byte(i)}})
	}
	_, err := d.Commit(bg, ws...)
	must(t, err)
	var seqs []int64
	for e, err := range d.Log(bg, 10, 590) {
		must(t, err)
		seqs = append(seqs, e.Sequence)
	}
	if len(seqs) != 580 || seqs[0] != 11 || seqs[len(seqs)-1] != 590 {
		t.Fatalf("Log(10, 590) yields %d rows from %d", len(seqs), seqs[0])
	}
	for range d.Log(bg, 0, math.MaxInt64) {
		break
	}
}

// testLogHole removes one row above the horizon behind the Dict's back,
// as a read view that misses a commit would: Log must stop before the hole
// and fail, never yield the rows after it as if they followed. The row is
// put back, and Log reads through again.
func testLogHole(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{})
	for i := range 20 {
		must(t, d.Set(bg, keyN(i), []byte{byte(i)}))
	}
	var hole sqldict.Entry
	for e, err := range d.Log(bg, 9, 10) {
		must(t, err)
		hole = e
	}
	dialect := d.Dialect()
	p := dialect.Placeholder
	_, err := d.DB().ExecContext(bg, "DELETE FROM "+d.Table()+" WHERE sequence_number = "+p(1), int64(10))
	must(t, err)

	for _, after := range []int64{0, 9} {
		var seqs []int64
		var lerr error
		for e, err := range d.Log(bg, after, math.MaxInt64) {
			if err != nil {
				lerr = err
				break
			}
			seqs = append(seqs, e.Sequence)
		}
		if lerr == nil || (len(seqs) > 0 && seqs[len(seqs)-1] >= 10) {
			t.Fatalf("Log after %d with row 10 missing yields %v and error %v: want the rows up to 9, then an error", after, seqs, lerr)
		}
		if want := 9 - after; int64(len(seqs)) != want {
			t.Fatalf("Log after %d with row 10 missing yields %d rows before failing, want %d", after, len(seqs), want)
		}
	}

	_, err = d.DB().ExecContext(bg, "INSERT INTO "+d.Table()+" ("+dialects.EntryColumns+") VALUES ("+
		p(1)+", "+p(2)+", "+p(3)+", "+p(4)+", "+p(5)+", "+p(6)+", "+p(7)+", "+p(8)+")",
		hole.Sequence, hole.Key, hole.Value, hole.Deleted, dialect.EncodeTime(hole.Created), hole.Version, hole.Author, hole.Comment)
	must(t, err)
	n := 0
	for _, err := range d.Log(bg, 0, math.MaxInt64) {
		must(t, err)
		n++
	}
	if n != 20 {
		t.Fatalf("Log yields %d rows once row 10 is back, want 20", n)
	}
}

// testPut checks Put's created answer: true for a key never written or
// whose newest version is a deletion, false over a live value, also with
// PruneOnWrite (the replaced row is gone) and for Puts of one key that
// share a group transaction; a failed check is the error, nothing written.
func testPut(t *testing.T, open Opener) {
	for _, pow := range []bool{false, true} {
		d := NewDict(t, open, sqldict.Options{PruneOnWrite: pow})
		steps := []struct {
			del     bool
			created bool
		}{{false, true}, {false, false}, {true, false}, {false, true}, {false, false}}
		for i, st := range steps {
			if st.del {
				must(t, d.Delete(bg, "k"))
				continue
			}
			e, created, err := d.Put(bg, sqldict.Write{Key: "k", Value: []byte{byte(i)}})
			must(t, err)
			if created != st.created || e.Version != int64(i+1) {
				t.Fatalf("PruneOnWrite=%v step %d: Put created=%v version %d, want created=%v version %d", pow, i, created, e.Version, st.created, i+1)
			}
		}
		if _, _, err := d.Put(bg, sqldict.Write{Key: "k", Value: []byte("x"), IfVersion: sqldict.Expect(1)}); !errors.Is(err, sqldict.ErrConflict) {
			t.Fatalf("Put with a stale expectation: %v, want ErrConflict", err)
		}
	}

	// Concurrent Puts of fresh keys, each key twice: exactly one Put of each
	// key created it, whatever batches they shared.
	d := NewDict(t, open, sqldict.Options{})
	const keys = 40
	var created [keys]atomic.Int64
	var wg sync.WaitGroup
	for i := range 2 * keys {
		wg.Go(func() {
			_, c, err := d.Put(bg, sqldict.Write{Key: keyN(i % keys), Value: []byte("v")})
			if err != nil {
				t.Error(err)
			} else if c {
				created[i%keys].Add(1)
			}
		})
	}
	wg.Wait()
	for k := range keys {
		if n := created[k].Load(); n != 1 {
			t.Fatalf("%s: %d of its two Puts say they created it, want 1", keyN(k), n)
		}
	}
}

func testPruneOnWrite(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{PruneOnWrite: true})
	must(t, d.Set(bg, "a", []byte("1"))) // 1
	must(t, d.Set(bg, "b", []byte("1"))) // 2
	must(t, d.Set(bg, "a", []byte("2"))) // 3: removes row 1
	st, err := d.Stat(bg)
	must(t, err)
	if st.Horizon != 3 {
		t.Fatalf("horizon = %d after pruning write 3", st.Horizon)
	}
	for _, seq := range []int64{0, 1, 2} {
		_, err := d.Snapshot(bg, seq)
		wantErr(t, err, sqldict.ErrPruned)
	}
	s, err := d.Snapshot(bg, 3)
	must(t, err)
	checkView(t, s, map[string]string{"a": "2", "b": "1"})
	hist, err := d.History(bg, "a")
	must(t, err)
	if len(hist) != 1 || hist[0].Version != 2 {
		t.Fatalf("history of a after prune-on-write = %+v", hist)
	}
	_, err = d.Version(bg, "a", 1)
	wantErr(t, err, sqldict.ErrPruned)
	// A view taken before a prune refuses reads after it.
	must(t, d.Set(bg, "b", []byte("2"))) // 4: removes row 2
	_, err = s.Get(bg, "b")
	wantErr(t, err, sqldict.ErrPruned)
	_, err = s.Keys(bg)
	wantErr(t, err, sqldict.ErrPruned)
}

func testReopen(t *testing.T, open Opener) {
	d := NewDict(t, open, sqldict.Options{KeyLength: 100})
	must(t, d.Set(bg, "k", []byte("v")))
	again := open(t, sqldict.Options{Table: d.Table()})
	wantGet(t, again, "k", "v")
	if got := again.Options().KeyLength; got != 100 {
		t.Fatalf("reopened KeyLength = %d, want the stored 100", got)
	}
	must(t, again.Set(bg, "k", []byte("w")))
	wantGet(t, d, "k", "w")
	if got := seqOf(t, d); got != 2 {
		t.Fatalf("two Dicts on one journal: sequence %d, want 2", got)
	}
}
