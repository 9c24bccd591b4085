// Package typedtest is the conformance suite of package typed: the same
// test bodies run on SQLite in typed's own tests and on MariaDB and
// PostgreSQL in the integration module.
package typedtest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
	"github.com/sqldict/sqldict/typed"
)

var bg = context.Background()

// Run runs the suite with dicts from open.
func Run(t *testing.T, open sqldicttest.Opener) {
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, open) })
	t.Run("ExpiryTTL", func(t *testing.T) { testExpiryTTL(t, open) })
	t.Run("SealedHistory", func(t *testing.T) { testSealedHistory(t, open) })
}

// Clock is a settable clock for Options.Now.
type Clock struct{ T time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.T }

// Keyring returns a keyring of n fresh keys "k1".."kn" with primary kn.
func Keyring(t testing.TB, n int) (*typed.Keyring, map[string][]byte) {
	t.Helper()
	keys := map[string][]byte{}
	primary := ""
	for i := 1; i <= n; i++ {
		primary = "k" + string(rune('0'+i))
		keys[primary] = typed.NewKey()
	}
	kr, err := typed.NewKeyring(primary, keys)
	sqldicttest.Must(t, err)
	return kr, keys
}

// wantValue fails t unless v.Get(key) returns want.
func wantValue(t testing.TB, get func(context.Context, string) (string, error), key, want string) {
	t.Helper()
	got, err := get(bg, key)
	if err != nil {
		t.Fatalf("Get(%q): %v, want %q", key, err, want)
	}
	if got != want {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
}

// wantExpired fails t unless get(key) fails as expired: ErrExpired and
// sqldict.ErrNotFound both.
func wantExpired(t testing.TB, get func(context.Context, string) (string, error), key string) {
	t.Helper()
	_, err := get(bg, key)
	if !errors.Is(err, typed.ErrExpired) || !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("Get(%q) = %v, want ErrExpired and ErrNotFound", key, err)
	}
}

// envelopes writes values through a typed Dict on a scratch journal and
// returns the stored bytes, so a test can lay them into a journal with
// commit times of its choosing (sqldict.Dict.Import).
func envelopes(t *testing.T, open sqldicttest.Opener, opts typed.Options[string], ws ...typed.Write[string]) [][]byte {
	t.Helper()
	scratch := sqldicttest.NewDict(t, open, sqldict.Options{})
	td, err := typed.New(scratch, opts)
	sqldicttest.Must(t, err)
	out := make([][]byte, len(ws))
	for i, w := range ws {
		_, err := td.Commit(bg, w)
		sqldicttest.Must(t, err)
		out[i], err = scratch.Get(bg, w.Key)
		sqldicttest.Must(t, err)
	}
	return out
}

// importRows fills the empty d with one commit per value, key keys[i] at
// times[i].
func importRows(t *testing.T, d *sqldict.Dict, keys []string, values [][]byte, times []time.Time) {
	t.Helper()
	rows := make([]sqldict.Entry, len(keys))
	for i := range keys {
		rows[i] = sqldict.Entry{Key: keys[i], Value: values[i], Sequence: int64(i + 1), Version: 1, Created: times[i]}
	}
	head := sqldict.Stats{Sequence: int64(len(rows)), Created: times[len(times)-1]}
	_, err := d.Import(bg, head, func(yield func(sqldict.Entry, error) bool) {
		for _, e := range rows {
			if !yield(e, nil) {
				return
			}
		}
	})
	sqldicttest.Must(t, err)
}
