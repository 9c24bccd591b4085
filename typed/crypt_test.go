package typed_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
	"github.com/sqldict/sqldict/typed"
	"github.com/sqldict/sqldict/typed/typedtest"
)

// sealed returns a byte store and an encrypting, compressing Dict on it
// with "a" and "b" written.
func sealed(t *testing.T, kr *typed.Keyring) (*sqldict.Dict, *typed.Dict[string]) {
	t.Helper()
	b := newBytes(t)
	d, err := typed.New(b, typed.Options[string]{Layers: []typed.Layer{typed.Compress(1), typed.Encrypt(kr)}})
	must(t, err)
	must(t, d.Set(bg, "a", "secret of a, long enough to be compressed: aaaaaaaaaaaaaaaaaaaaaaaa"))
	must(t, d.Set(bg, "b", "secret of b"))
	return b, d
}

func wantDecryptErr(t *testing.T, d *typed.Dict[string], key string) {
	t.Helper()
	v, err := d.Get(bg, key)
	if !errors.Is(err, typed.ErrDecrypt) {
		t.Fatalf("Get(%q) = %q, %v, want ErrDecrypt", key, v, err)
	}
	if v != "" {
		t.Fatalf("Get(%q) returned %q beside its error", key, v)
	}
}

func TestEncrypt_TamperedCiphertext(t *testing.T) {
	kr, _ := typedtest.Keyring(t, 1)
	b, d := sealed(t, kr)
	raw, err := b.Get(bg, "a")
	must(t, err)
	for _, i := range []int{len(raw) - 1, len(raw) - 20, len(raw) - 40} {
		bad := bytes.Clone(raw)
		bad[i] ^= 0x01
		must(t, b.Set(bg, "a", bad))
		wantDecryptErr(t, d, "a")
	}
	// The header is authenticated too: a codec renamed to another this
	// Dict reads, an expiry added by hand, a layer record dropped. Each
	// header parses, so only the additional data can refuse it.
	must(t, b.Set(bg, "a", bytes.Replace(raw, []byte("\x04json"), []byte("\x03gob"), 1)))
	wantDecryptErr(t, d, "a")
	// magic, version, flags at 4, codec name "\x04json", then the time.
	flagged := append(bytes.Clone(raw[:10]), binary.BigEndian.AppendUint64(nil, uint64(time.Now().Add(time.Hour).UnixMicro()))...)
	flagged[4] |= 1 // the expiry flag
	must(t, b.Set(bg, "a", append(flagged, raw[10:]...)))
	wantDecryptErr(t, d, "a")
	noZstd := bytes.Replace(raw, []byte("\x04zstd\x00"), nil, 1)
	must(t, b.Set(bg, "a", noZstd))
	wantDecryptErr(t, d, "a")
	must(t, b.Set(bg, "a", raw))
	if _, err := d.Get(bg, "a"); err != nil {
		t.Fatalf("the original bytes no longer read: %v", err)
	}
	// A plaintext envelope slipped in is refused, not trusted.
	plain, err := typed.New(b, typed.Options[string]{})
	must(t, err)
	must(t, plain.Set(bg, "a", "forged"))
	wantDecryptErr(t, d, "a")
}

func TestEncrypt_SwappedCiphertext(t *testing.T) {
	kr, _ := typedtest.Keyring(t, 1)
	b, d := sealed(t, kr)
	rawA, err := b.Get(bg, "a")
	must(t, err)
	must(t, b.Set(bg, "b", rawA))
	wantDecryptErr(t, d, "b")

	// The same key name in another journal table.
	other := sqldicttest.NewDict(t, sqldicttest.OpenSQLiteMemory, sqldict.Options{})
	od, err := typed.New(other, typed.Options[string]{Layers: []typed.Layer{typed.Encrypt(kr)}})
	must(t, err)
	must(t, other.Set(bg, "a", rawA))
	wantDecryptErr(t, od, "a")

	// Options.Table names the table bound in, for stores that move.
	moved, err := typed.New(other, typed.Options[string]{Table: b.Table(), Layers: []typed.Layer{typed.Encrypt(kr)}})
	must(t, err)
	if _, err := moved.Get(bg, "a"); err != nil {
		t.Fatalf("Get with Options.Table of the source = %v", err)
	}
}

func TestEncrypt_WrongAndMissingKeys(t *testing.T) {
	kr, _ := typedtest.Keyring(t, 1)
	b, _ := sealed(t, kr)
	// Another key under the same ID.
	impostor, err := typed.NewKeyring("k1", map[string][]byte{"k1": typed.NewKey()})
	must(t, err)
	d2, err := typed.New(b, typed.Options[string]{Layers: []typed.Layer{typed.Encrypt(impostor)}})
	must(t, err)
	wantDecryptErr(t, d2, "a")
	// A ring without the ID.
	other, err := typed.NewKeyring("k9", map[string][]byte{"k9": typed.NewKey()})
	must(t, err)
	d3, err := typed.New(b, typed.Options[string]{Layers: []typed.Layer{typed.Encrypt(other)}})
	must(t, err)
	if _, err := d3.Get(bg, "a"); !errors.Is(err, typed.ErrUnknownKey) {
		t.Fatalf("Get with the key ID missing = %v, want ErrUnknownKey", err)
	}
	// No encryption layer configured at all.
	d4, err := typed.New(b, typed.Options[string]{})
	must(t, err)
	if _, err := d4.Get(bg, "a"); !errors.Is(err, typed.ErrFormat) {
		t.Fatalf("Get without Encrypt = %v, want ErrFormat", err)
	}
}

func TestEncrypt_KeyRotation(t *testing.T) {
	k1 := typed.NewKey()
	old, err := typed.NewKeyring("k1", map[string][]byte{"k1": k1})
	must(t, err)
	b, d := sealed(t, old)
	must(t, d.Set(bg, "a", "a under k1, version 2"))

	rotated, err := typed.NewKeyring("k2", map[string][]byte{"k1": k1, "k2": typed.NewKey()})
	must(t, err)
	dr, err := typed.New(b, typed.Options[string]{Layers: []typed.Layer{typed.Compress(1), typed.Encrypt(rotated)}})
	must(t, err)
	must(t, dr.Set(bg, "a", "a under k2"))
	h, err := dr.History(bg, "a")
	must(t, err)
	if len(h) != 3 || h[1].Value != "a under k1, version 2" || h[2].Value != "a under k2" {
		t.Fatalf("History after rotation = %+v", h)
	}
	newest, err := b.Get(bg, "a")
	must(t, err)
	if !bytes.Contains(newest, []byte("\x09aes256gcm\x02k2")) {
		t.Fatalf("newest version does not record key k2: %q", newest[:40])
	}
	// The old ring still reads the old versions and names what it lacks.
	if _, err := d.Get(bg, "a"); !errors.Is(err, typed.ErrUnknownKey) {
		t.Fatalf("old ring on the new version = %v, want ErrUnknownKey", err)
	}
	s, err := d.Snapshot(bg, h[1].Sequence)
	must(t, err)
	if v, err := s.Get(bg, "a"); err != nil || v != "a under k1, version 2" {
		t.Fatalf("old ring at an old snapshot = %q, %v", v, err)
	}
}

func TestKeyring_File(t *testing.T) {
	keys := map[string][]byte{"2026-11": typed.NewKey(), "2026-12": typed.NewKey()}
	data, err := typed.MarshalKeyring("2026-12", keys)
	must(t, err)
	path := filepath.Join(t.TempDir(), "keys.json")
	must(t, os.WriteFile(path, data, 0o600))
	kr, err := typed.LoadKeyring(path)
	must(t, err)
	if kr.Primary() != "2026-12" || len(kr.IDs()) != 2 || kr.IDs()[0] != "2026-11" {
		t.Fatalf("loaded ring: primary %q, IDs %q", kr.Primary(), kr.IDs())
	}
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	for name, bad := range map[string]string{
		"not json":        `primary = k1`,
		"unknown field":   `{"primary":"k1","keys":{"k1":"` + base64.StdEncoding.EncodeToString(typed.NewKey()) + `"},"extra":1}`,
		"primary missing": `{"primary":"k2","keys":{"k1":"` + base64.StdEncoding.EncodeToString(typed.NewKey()) + `"}}`,
		"short key":       `{"primary":"k1","keys":{"k1":"` + short + `"}}`,
		"bad base64":      `{"primary":"k1","keys":{"k1":"%%%"}}`,
		"empty":           `{}`,
	} {
		if _, err := typed.ParseKeyring([]byte(bad)); !errors.Is(err, sqldict.ErrInvalidArgument) {
			t.Errorf("%s: ParseKeyring = %v, want ErrInvalidArgument", name, err)
		}
	}
	if _, err := typed.LoadKeyring(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("LoadKeyring of a missing file = %v", err)
	}
}

// TestEncrypt_Reseal: after a rotation, Reseal rewrites the live values
// under the primary key, keeping their expiry; history keeps the old
// versions under the old key.
func TestEncrypt_Reseal(t *testing.T) {
	k1 := typed.NewKey()
	old, err := typed.NewKeyring("k1", map[string][]byte{"k1": k1})
	must(t, err)
	b, d := sealed(t, old)
	exp := time.Now().Add(time.Hour)
	_, err = d.Commit(bg, typed.Write[string]{Key: "c", Value: "expiring", ExpiresAt: exp})
	must(t, err)
	rotated, err := typed.NewKeyring("k2", map[string][]byte{"k1": k1, "k2": typed.NewKey()})
	must(t, err)
	dr, err := typed.New(b, typed.Options[string]{Layers: []typed.Layer{typed.Encrypt(rotated)}})
	must(t, err)
	must(t, dr.Set(bg, "b", "b under k2"))
	before := seqOf(t, b)
	n, err := dr.Reseal(bg, sqldict.Range{})
	must(t, err)
	if n != 2 {
		t.Fatalf("Reseal rewrote %d values, want 2 (a and c)", n)
	}
	if got := seqOf(t, b); got != before+2 {
		t.Fatalf("Reseal appended %d versions, want 2", got-before)
	}
	for _, k := range []string{"a", "b", "c"} {
		raw, err := b.Get(bg, k)
		must(t, err)
		if !bytes.Contains(raw, []byte("\x09aes256gcm\x02k2")) {
			t.Fatalf("%s after Reseal is not under k2: %q", k, raw[:40])
		}
	}
	e, err := dr.Entry(bg, "c")
	must(t, err)
	if e.Value != "expiring" || !e.Expires.Equal(exp.UTC().Truncate(time.Microsecond)) || e.Comment != typed.ResealComment {
		t.Fatalf("c after Reseal = %+v", e)
	}
	h, err := dr.History(bg, "a")
	must(t, err)
	if len(h) != 2 || h[0].Value != h[1].Value {
		t.Fatalf("History(a) after Reseal = %+v", h)
	}
	if n, err := dr.Reseal(bg, sqldict.Range{}); n != 0 || err != nil {
		t.Fatalf("second Reseal = %d, %v", n, err)
	}
	plain, err := typed.New(b, typed.Options[string]{})
	must(t, err)
	if _, err := plain.Reseal(bg, sqldict.Range{}); !errors.Is(err, sqldict.ErrInvalidArgument) {
		t.Fatalf("Reseal without Encrypt = %v", err)
	}
}
