package typed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/sqldict/sqldicttest"
	"github.com/sqldict/sqldict/typed"
	"github.com/sqldict/sqldict/typed/typedtest"
)

var bg = context.Background()

var must = sqldicttest.Must

var timeZero time.Time

type Config struct {
	Name   string
	Limit  int
	Tags   []string
	Active bool
}

// layerSets are every combination of the built-in layers, by name.
func layerSets(t *testing.T) map[string][]typed.Layer {
	kr, _ := typedtest.Keyring(t, 1)
	return map[string][]typed.Layer{
		"plain":     nil,
		"zstd":      {typed.Compress(0)},
		"aes":       {typed.Encrypt(kr)},
		"zstd+aes":  {typed.Compress(0), typed.Encrypt(kr)},
		"aes+zstd":  {typed.Encrypt(kr), typed.Compress(0)}, // pointless order, still reversible
		"zstd(1)":   {typed.Compress(1)},
		"zstd1+aes": {typed.Compress(1), typed.Encrypt(kr)},
	}
}

func newBytes(t *testing.T) *sqldict.Dict {
	return sqldicttest.NewDict(t, sqldicttest.OpenSQLiteMemory, sqldict.Options{})
}

// roundTrip writes vals as versions of one key and reads every one back
// through Get, History, Entry, Snapshot and AsOf.
func roundTrip[T any](t *testing.T, opts typed.Options[T], vals []T, plain func(T) []byte) {
	t.Helper()
	b := newBytes(t)
	d, err := typed.New(b, opts)
	must(t, err)
	var seqs []int64
	for _, v := range vals {
		es, err := d.Commit(bg, typed.Write[T]{Key: "k", Value: v, Author: "ana"})
		must(t, err)
		if !reflect.DeepEqual(es[0].Value, v) || es[0].Author != "ana" {
			t.Fatalf("Commit returned %+v", es[0])
		}
		seqs = append(seqs, es[0].Sequence)
		got, err := d.Get(bg, "k")
		must(t, err)
		if !reflect.DeepEqual(got, v) {
			t.Fatalf("Get = %#v, want %#v", got, v)
		}
		raw, err := b.Get(bg, "k")
		must(t, err)
		encrypted := false
		for _, l := range opts.Layers {
			encrypted = encrypted || l.Name() == "aes256gcm"
		}
		if p := plain(v); encrypted && len(p) >= 8 && bytes.Contains(raw, p) {
			t.Fatalf("stored value contains the plaintext %q", p)
		}
	}
	h, err := d.History(bg, "k")
	must(t, err)
	if len(h) != len(vals) {
		t.Fatalf("History has %d entries, want %d", len(h), len(vals))
	}
	for i, v := range vals {
		if !reflect.DeepEqual(h[i].Value, v) || h[i].Version != int64(i+1) {
			t.Fatalf("History[%d] = %+v, want value %#v", i, h[i], v)
		}
		s, err := d.Snapshot(bg, seqs[i])
		must(t, err)
		got, err := s.Get(bg, "k")
		must(t, err)
		if !reflect.DeepEqual(got, v) {
			t.Fatalf("Snapshot(%d).Get = %#v, want %#v", seqs[i], got, v)
		}
		a, err := d.AsOf(bg, h[i].Created)
		must(t, err)
		if a.Sequence() < seqs[i] {
			t.Fatalf("AsOf(created of %d) = sequence %d", seqs[i], a.Sequence())
		}
		sh, err := s.History(bg, "k")
		must(t, err)
		if len(sh) != i+1 || !reflect.DeepEqual(sh[i].Value, v) {
			t.Fatalf("Snapshot(%d).History = %+v", seqs[i], sh)
		}
	}
	must(t, d.Delete(bg, "k"))
	if _, err := d.Get(bg, "k"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("Get after Delete = %v, want ErrNotFound", err)
	}
	s, err := d.Snapshot(bg, seqs[len(seqs)-1])
	must(t, err)
	got, err := s.Get(bg, "k")
	must(t, err)
	if !reflect.DeepEqual(got, vals[len(vals)-1]) {
		t.Fatalf("Snapshot before Delete = %#v", got)
	}
}

func TestRoundTrip_EveryCodecAndLayer(t *testing.T) {
	long := strings.Repeat("a compressible line of configuration text\n", 200)
	configs := []Config{
		{Name: "small", Limit: 1},
		{Name: long, Limit: 2, Tags: []string{"x", "y"}, Active: true},
		{},
	}
	for name, layers := range layerSets(t) {
		t.Run(name, func(t *testing.T) {
			for _, codec := range []typed.Codec{typed.JSON, typed.Gob} {
				t.Run(codec.Name(), func(t *testing.T) {
					roundTrip(t, typed.Options[Config]{Codec: codec, Layers: layers}, configs,
						func(c Config) []byte { return []byte(c.Name) })
				})
			}
			t.Run("raw-bytes", func(t *testing.T) {
				bin := []byte{0xfe, 'S', 'D', 1, 0, 0xff} // looks like an envelope
				roundTrip(t, typed.Options[[]byte]{Codec: typed.Raw, Layers: layers},
					[][]byte{bin, []byte(long), {}}, func(b []byte) []byte { return b })
			})
			t.Run("raw-string", func(t *testing.T) {
				roundTrip(t, typed.Options[string]{Codec: typed.Raw, Layers: layers},
					[]string{"secret value", long, ""}, func(s string) []byte { return []byte(s) })
			})
		})
	}
}

// TestCompress_SmallValuesAsTheyAre: a value under the threshold, or one
// that does not shrink, is stored without a zstd record.
func TestCompress_SmallValuesAsTheyAre(t *testing.T) {
	b := newBytes(t)
	d, err := typed.New(b, typed.Options[string]{Codec: typed.Raw, Layers: []typed.Layer{typed.Compress(8)}})
	must(t, err)
	must(t, d.Set(bg, "small", "tiny"))
	must(t, d.Set(bg, "big", strings.Repeat("z", 10000)))
	noise := string(typed.NewKey()) + string(typed.NewKey()) // 64 random bytes: zstd cannot shrink them
	must(t, d.Set(bg, "noise", noise))
	for key, compressed := range map[string]bool{"small": false, "big": true, "noise": false} {
		raw, err := b.Get(bg, key)
		must(t, err)
		if bytes.Contains(raw, []byte("zstd")) != compressed {
			t.Fatalf("%s stored as %q…: compressed %v, want %v", key, raw[:min(len(raw), 24)], !compressed, compressed)
		}
		got, err := d.Get(bg, key)
		must(t, err)
		if len(got) != map[string]int{"small": 4, "big": 10000, "noise": 64}[key] {
			t.Fatalf("Get(%s) has %d bytes", key, len(got))
		}
	}
	if raw, _ := b.Get(bg, "big"); len(raw) > 200 {
		t.Fatalf("10000 equal bytes stored in %d bytes", len(raw))
	}
}

// TestConfigChange_OldVersionsRead: values written under one configuration
// read under another, because the envelope says how they were written.
func TestConfigChange_OldVersionsRead(t *testing.T) {
	b := newBytes(t)
	gobZstd, err := typed.New(b, typed.Options[Config]{Codec: typed.Gob, Layers: []typed.Layer{typed.Compress(1)}})
	must(t, err)
	want := Config{Name: strings.Repeat("n", 500), Limit: 7}
	must(t, gobZstd.Set(bg, "c", want))
	jsonPlain, err := typed.New(b, typed.Options[Config]{})
	must(t, err)
	got, err := jsonPlain.Get(bg, "c")
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("gob+zstd value read by a JSON Dict = %+v", got)
	}
	must(t, jsonPlain.Set(bg, "c", Config{Name: "json now"}))
	h, err := gobZstd.History(bg, "c")
	must(t, err)
	if h[0].Value.Limit != 7 || h[1].Value.Name != "json now" {
		t.Fatalf("History through the gob Dict = %+v", h)
	}
}

// upper is a custom codec: strings upper-cased on the way in.
type upper struct{}

func (upper) Name() string { return "upper" }
func (upper) Marshal(v any) ([]byte, error) {
	return []byte(strings.ToUpper(v.(string))), nil
}
func (upper) Unmarshal(b []byte, v any) error {
	*v.(*string) = string(b)
	return nil
}

func TestCustomCodec(t *testing.T) {
	b := newBytes(t)
	d, err := typed.New(b, typed.Options[string]{Codec: upper{}})
	must(t, err)
	must(t, d.Set(bg, "k", "shout"))
	got, err := d.Get(bg, "k")
	must(t, err)
	if got != "SHOUT" {
		t.Fatalf("Get = %q", got)
	}
	// A Dict that does not know the codec refuses, it does not guess.
	other, err := typed.New(b, typed.Options[string]{})
	must(t, err)
	if _, err := other.Get(bg, "k"); !errors.Is(err, typed.ErrFormat) {
		t.Fatalf("Get with an unknown codec = %v, want ErrFormat", err)
	}
	// Known only for reading, through Codecs.
	reader, err := typed.New(b, typed.Options[string]{Codecs: []typed.Codec{upper{}}})
	must(t, err)
	if got, err := reader.Get(bg, "k"); err != nil || got != "SHOUT" {
		t.Fatalf("Get through Options.Codecs = %q, %v", got, err)
	}
	if _, err := typed.New(b, typed.Options[string]{Codec: upper{}, Codecs: []typed.Codec{otherUpper{}}}); !errors.Is(err, sqldict.ErrInvalidArgument) {
		t.Fatalf("two codecs of one name = %v, want ErrInvalidArgument", err)
	}
}

type otherUpper struct{ upper }

// TestBareValues: a value a plain Dict wrote has no envelope: refused by
// default, read with ReadBare, refused again when encryption is on.
func TestBareValues(t *testing.T) {
	b := newBytes(t)
	must(t, b.Set(bg, "k", []byte(`{"Name":"bare"}`)))
	d, err := typed.New(b, typed.Options[Config]{})
	must(t, err)
	if _, err := d.Get(bg, "k"); !errors.Is(err, typed.ErrFormat) {
		t.Fatalf("Get of a bare value = %v, want ErrFormat", err)
	}
	bare, err := typed.New(b, typed.Options[Config]{ReadBare: true})
	must(t, err)
	if c, err := bare.Get(bg, "k"); err != nil || c.Name != "bare" {
		t.Fatalf("ReadBare Get = %+v, %v", c, err)
	}
	kr, _ := typedtest.Keyring(t, 1)
	enc, err := typed.New(b, typed.Options[Config]{ReadBare: true, Layers: []typed.Layer{typed.Encrypt(kr)}})
	must(t, err)
	if _, err := enc.Get(bg, "k"); !errors.Is(err, typed.ErrDecrypt) {
		t.Fatalf("encrypting Dict, bare value = %v, want ErrDecrypt", err)
	}
}

// TestErrorsPassThrough: the Store's errors reach the caller unchanged.
func TestErrorsPassThrough(t *testing.T) {
	b := newBytes(t)
	d, err := typed.New(b, typed.Options[int]{})
	must(t, err)
	if _, err := d.Get(bg, "missing"); !errors.Is(err, sqldict.ErrNotFound) || errors.Is(err, typed.ErrExpired) {
		t.Fatalf("Get missing = %v", err)
	}
	if err := d.Delete(bg, "missing"); !errors.Is(err, sqldict.ErrNotFound) {
		t.Fatalf("Delete missing = %v", err)
	}
	if err := d.Set(bg, "", 1); !errors.Is(err, sqldict.ErrInvalidKey) {
		t.Fatalf("Set empty key = %v", err)
	}
	must(t, d.Set(bg, "n", 1))
	_, err = d.Commit(bg, typed.Write[int]{Key: "n", Value: 2, IfVersion: sqldict.Expect(0)})
	var ce *sqldict.ConflictError
	if !errors.As(err, &ce) || ce.Actual != 1 {
		t.Fatalf("Commit with a stale version = %v, want a ConflictError at 1", err)
	}
	if _, err := d.Snapshot(bg, 99); !errors.Is(err, sqldict.ErrFuture) {
		t.Fatalf("Snapshot(99) = %v, want ErrFuture", err)
	}
	if _, err := d.AsOf(bg, time.Now().Add(time.Hour)); !errors.Is(err, sqldict.ErrFuture) {
		t.Fatalf("AsOf(an hour ahead) = %v, want ErrFuture", err)
	}
	if ok, err := d.Has(bg, "missing"); ok || err != nil {
		t.Fatalf("Has missing = %v, %v", ok, err)
	}
	if _, err := typed.New[int](nil, typed.Options[int]{}); !errors.Is(err, sqldict.ErrInvalidArgument) {
		t.Fatalf("New(nil) = %v", err)
	}
}

// TestPayload: a Dict[Payload] reads any codec's bytes without decoding,
// and writes bytes under a codec name that typed Dicts then decode.
func TestPayload(t *testing.T) {
	b := newBytes(t)
	kr, _ := typedtest.Keyring(t, 1)
	layers := []typed.Layer{typed.Compress(1), typed.Encrypt(kr)}
	cfg, err := typed.New(b, typed.Options[Config]{Layers: layers})
	must(t, err)
	must(t, cfg.Set(bg, "c", Config{Name: "n", Limit: 3}))
	custom, err := typed.New(b, typed.Options[string]{Codec: upper{}, Layers: layers})
	must(t, err)
	must(t, custom.Set(bg, "u", "up"))

	p, err := typed.New(b, typed.Options[typed.Payload]{Layers: layers})
	must(t, err)
	got, err := p.Get(bg, "c")
	must(t, err)
	if got.Codec != "json" || string(got.Data) != `{"Name":"n","Limit":3,"Tags":null,"Active":false}` {
		t.Fatalf("Payload of c = %s %s", got.Codec, got.Data)
	}
	if got, err := p.Get(bg, "u"); err != nil || got.Codec != "upper" || string(got.Data) != "UP" {
		t.Fatalf("Payload of an unknown codec = %+v, %v", got, err)
	}
	must(t, p.Set(bg, "c", typed.Payload{Codec: "json", Data: []byte(`{"Name":"from payload","Limit":4}`)}))
	c, err := cfg.Get(bg, "c")
	must(t, err)
	if c.Name != "from payload" || c.Limit != 4 {
		t.Fatalf("Config written as a Payload reads %+v", c)
	}
}

// TestWatch: a typed watcher sees every commit decoded, deletions included,
// and stops at the first value it cannot read.
func TestWatch(t *testing.T) {
	b := newBytes(t)
	kr, _ := typedtest.Keyring(t, 1)
	d, err := typed.New(b, typed.Options[Config]{Layers: []typed.Layer{typed.Encrypt(kr)}})
	must(t, err)
	must(t, d.Set(bg, "cfg/a", Config{Limit: 1}))
	must(t, d.Set(bg, "other", Config{Limit: 2}))
	must(t, d.Set(bg, "cfg/a", Config{Limit: 3}))
	must(t, d.Delete(bg, "cfg/a"))
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var got []string
	for e, err := range d.Watch(ctx, 0, sqldict.Range{Prefix: "cfg/"}) {
		must(t, err)
		got = append(got, fmt.Sprintf("%d:%s:%d:%v", e.Sequence, e.Key, e.Value.Limit, e.Deleted))
		if len(got) == 3 {
			break
		}
	}
	if want := []string{"1:cfg/a:1:false", "3:cfg/a:3:false", "4:cfg/a:0:true"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("Watch = %q, want %q", got, want)
	}
	// A value slipped in without encryption stops the watch with ErrDecrypt.
	must(t, b.Set(bg, "cfg/b", []byte(`{"Limit":9}`)))
	for _, err := range d.Watch(ctx, 4, sqldict.Range{}) {
		if !errors.Is(err, typed.ErrDecrypt) {
			t.Fatalf("Watch over a plaintext value = %v, want ErrDecrypt", err)
		}
		break
	}
	for _, err := range d.WriteOnly().Watch(ctx, 0, sqldict.Range{}) {
		if !errors.Is(err, typed.ErrWriteOnly) {
			t.Fatalf("write-only Watch = %v, want ErrWriteOnly", err)
		}
		break
	}
}
