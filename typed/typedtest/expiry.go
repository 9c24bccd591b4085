package typedtest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
	"github.com/sqldict/sqldict/typed"
)

// testExpiry lays a journal with commit times in the past around one
// value's expiry (Import keeps the times), so that points before and after
// the expiry exist without waiting for any clock:
//
//	seq 1 at t0        a = "soon", expires t0+10m
//	seq 2 at t0+5m     b = "kept"
//	seq 3 at t0+20m    c = "late"
func testExpiry(t *testing.T, open sqldicttest.Opener) {
	t0 := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	exp := t0.Add(10 * time.Minute)
	clock := &Clock{T: t0.Add(5 * time.Minute)}
	opts := typed.Options[string]{Now: clock.Now}
	vals := envelopes(t, open, opts,
		typed.Write[string]{Key: "a", Value: "soon", ExpiresAt: exp},
		typed.Write[string]{Key: "b", Value: "kept"},
		typed.Write[string]{Key: "c", Value: "late"})
	bytesDict := sqldicttest.NewDict(t, open, sqldict.Options{})
	importRows(t, bytesDict, []string{"a", "b", "c"}, vals, []time.Time{t0, t0.Add(5 * time.Minute), t0.Add(20 * time.Minute)})
	d, err := typed.New(bytesDict, opts)
	sqldicttest.Must(t, err)

	views := func() {
		t.Helper()
		for _, c := range []struct {
			seq  int64
			live bool
		}{{1, true}, {2, true}, {3, false}} {
			v, err := d.Snapshot(bg, c.seq)
			sqldicttest.Must(t, err)
			if c.live {
				wantValue(t, v.Get, "a", "soon")
			} else {
				wantExpired(t, v.Get, "a")
			}
			ok, err := v.Has(bg, "a")
			sqldicttest.Must(t, err)
			if ok != c.live {
				t.Fatalf("view at %d: Has(a) = %v, want %v", c.seq, ok, c.live)
			}
			e, err := v.Entry(bg, "a")
			sqldicttest.Must(t, err)
			if e.Expired == c.live || !e.Expires.Equal(exp) || e.Value != "soon" {
				t.Fatalf("view at %d: Entry(a) = %+v, want Expired %v, Expires %v", c.seq, e, !c.live, exp)
			}
		}
		for _, c := range []struct {
			at   time.Time
			live bool
		}{
			{exp.Add(-time.Microsecond), true}, // before: the view at seq 2, judged at its own time
			{exp, false},                       // an expiry is exclusive: at it, the value is gone
			{exp.Add(time.Minute), false},
		} {
			v, err := d.AsOf(bg, c.at)
			sqldicttest.Must(t, err)
			if v.Sequence() != 2 {
				t.Fatalf("AsOf(%v).Sequence() = %d, want 2", c.at, v.Sequence())
			}
			if c.live {
				wantValue(t, v.Get, "a", "soon")
			} else {
				wantExpired(t, v.Get, "a")
			}
			wantValue(t, v.Get, "b", "kept")
			var keys []string
			for e, err := range v.All(bg, sqldict.Range{}) {
				sqldicttest.Must(t, err)
				keys = append(keys, e.Key)
			}
			want := []string{"b"}
			if c.live {
				want = []string{"a", "b"}
			}
			if !slices.Equal(keys, want) {
				t.Fatalf("AsOf(%v).All keys = %q, want %q", c.at, keys, want)
			}
			keys, err = v.KeysIn(bg, sqldict.Range{})
			sqldicttest.Must(t, err)
			if !slices.Equal(keys, want) {
				t.Fatalf("AsOf(%v).KeysIn = %q, want %q", c.at, keys, want)
			}
		}
	}
	views()

	// The head, judged by the clock: live before the expiry, gone after,
	// and Sweep deletes only what has expired.
	wantValue(t, d.Get, "a", "soon")
	n, err := d.Sweep(bg, sqldict.Range{})
	sqldicttest.Must(t, err)
	if n != 0 {
		t.Fatalf("Sweep before the expiry deleted %d keys", n)
	}
	clock.T = exp
	wantExpired(t, d.Get, "a")
	if keys, err := d.KeysIn(bg, sqldict.Range{}); err != nil || !slices.Equal(keys, []string{"b", "c"}) {
		t.Fatalf("KeysIn after the expiry, before Sweep = %q, %v", keys, err)
	}
	if ok, err := d.Has(bg, "a"); err != nil || ok {
		t.Fatalf("Has(a) after expiry = %v, %v", ok, err)
	}
	n, err = d.Sweep(bg, sqldict.Range{})
	sqldicttest.Must(t, err)
	if n != 1 {
		t.Fatalf("Sweep after the expiry deleted %d keys, want 1", n)
	}
	h, err := d.History(bg, "a")
	sqldicttest.Must(t, err)
	if len(h) != 2 || !h[0].Expired || h[0].Value != "soon" || !h[1].Deleted ||
		h[1].Comment != typed.SweepComment || h[1].Author != typed.DefaultSweepAuthor || h[1].Sequence != 4 {
		t.Fatalf("History(a) after Sweep = %+v", h)
	}
	if _, err := d.Get(bg, "a"); !errorsIsNotFoundOnly(err) {
		t.Fatalf("Get(a) after Sweep = %v, want ErrNotFound (a deletion, not an expiry)", err)
	}
	keys, err := bytesDict.Keys(bg)
	sqldicttest.Must(t, err)
	if !slices.Equal(keys, []string{"b", "c"}) {
		t.Fatalf("byte store keys after Sweep = %q", keys)
	}
	n, err = d.Sweep(bg, sqldict.Range{})
	sqldicttest.Must(t, err)
	if n != 0 {
		t.Fatalf("second Sweep deleted %d keys", n)
	}
	// The views before the sweep read as they did: exact and repeatable.
	views()
}

// testExpiryTTL: SetTTL at the head, a rewrite without expiry survives the
// sweep, a read-only view cannot sweep.
func testExpiryTTL(t *testing.T, open sqldicttest.Opener) {
	clock := &Clock{T: time.Now()}
	bytesDict := sqldicttest.NewDict(t, open, sqldict.Options{})
	d, err := typed.New(bytesDict, typed.Options[string]{Now: clock.Now, SweepAuthor: "janitor"})
	sqldicttest.Must(t, err)
	sqldicttest.Must(t, d.SetTTL(bg, "session/1", "alice", time.Hour))
	sqldicttest.Must(t, d.SetTTL(bg, "session/2", "bob", time.Hour))
	sqldicttest.Must(t, d.SetTTL(bg, "other", "x", time.Hour))
	sqldicttest.WantErr(t, d.SetTTL(bg, "session/3", "carol", 0), sqldict.ErrInvalidArgument)
	wantValue(t, d.Get, "session/1", "alice")
	clock.T = clock.T.Add(2 * time.Hour)
	wantExpired(t, d.Get, "session/1")
	sqldicttest.Must(t, d.Set(bg, "session/2", "bob again")) // rewritten: no expiry now
	if _, err := d.ReadOnly().Sweep(bg, sqldict.Range{}); !errors.Is(err, sqldict.ErrReadOnly) {
		t.Fatalf("read-only Sweep = %v, want ErrReadOnly", err)
	}
	n, err := d.Sweep(bg, sqldict.Range{Prefix: "session/"})
	sqldicttest.Must(t, err)
	if n != 1 {
		t.Fatalf("Sweep deleted %d keys, want 1", n)
	}
	wantValue(t, d.Get, "session/2", "bob again")
	e, err := d.Entry(bg, "session/1")
	sqldicttest.Must(t, err)
	if !e.Deleted || e.Author != "janitor" {
		t.Fatalf("Entry(session/1) = %+v, want a tombstone by janitor", e)
	}
	if ok, _ := bytesDict.Has(bg, "other"); !ok {
		t.Fatal("Sweep with a prefix deleted a key outside it")
	}
}

// errorsIsNotFoundOnly reports a plain not-found: a deletion, not an expiry.
func errorsIsNotFoundOnly(err error) bool {
	return errors.Is(err, sqldict.ErrNotFound) && !errors.Is(err, typed.ErrExpired)
}
