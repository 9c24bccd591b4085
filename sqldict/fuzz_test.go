package sqldict_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sqldict/sqldict/sqldict"
)

// FuzzKey writes arbitrary keys: each is either refused with ErrInvalidKey,
// writing nothing, or stored and read back byte for byte, in Keys, in
// order.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"a", "", "a\x00", "\xff", "a ", "é", "'; --", strings.Repeat("x", 255), strings.Repeat("x", 256), "\U0010FFFF"} {
		f.Add(s)
	}
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"), sqldict.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Close() })
	f.Fuzz(func(t *testing.T, key string) {
		before, err := d.Stat(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = d.Set(ctx, key, []byte(key))
		valid := key != "" && len(key) <= sqldict.DefaultKeyLength && utf8.ValidString(key) && !strings.Contains(key, "\x00")
		if !valid {
			if !errors.Is(err, sqldict.ErrInvalidKey) {
				t.Fatalf("Set(%q) = %v, want ErrInvalidKey", key, err)
			}
			after, _ := d.Stat(ctx)
			if after.Sequence != before.Sequence {
				t.Fatalf("refused key %q appended a row", key)
			}
			return
		}
		if err != nil {
			t.Fatalf("Set(%q): %v", key, err)
		}
		got, err := d.Get(ctx, key)
		if err != nil || string(got) != key {
			t.Fatalf("Get(%q) = %q, %v", key, got, err)
		}
		keys, err := d.KeysIn(ctx, sqldict.Range{Prefix: key})
		if err != nil || len(keys) == 0 || keys[0] != key || !slices.IsSorted(keys) {
			t.Fatalf("KeysIn(prefix %q) = %q, %v", key, keys, err)
		}
	})
}

// FuzzValue round-trips arbitrary bytes.
func FuzzValue(f *testing.F) {
	for _, v := range [][]byte{nil, {}, {0}, {0xff, 0xfe}, []byte("NULL"), bytes.Repeat([]byte{0}, 1000)} {
		f.Add(v)
	}
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(f.TempDir(), "fuzz.db"), sqldict.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { d.Close() })
	f.Fuzz(func(t *testing.T, v []byte) {
		if err := d.Set(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
		got, err := d.Get(ctx, "k")
		if err != nil || !bytes.Equal(got, v) || got == nil {
			t.Fatalf("Get = %x, %v; want %x", got, err, v)
		}
		e, err := d.Entry(ctx, "k")
		if err != nil || e.Deleted || !bytes.Equal(e.Value, v) {
			t.Fatalf("Entry = %+v, %v", e, err)
		}
	})
}
