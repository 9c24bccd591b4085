package typed_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/typed"
)

// BenchmarkLayers measures Get and Set of a ~1 KiB JSON-able value through
// each layer, beside the plain byte Dict in the same run (impl=bytes, the
// value pre-marshalled). In-memory SQLite, so that the ratios show the
// layers' CPU cost rather than fsync:
//
//	go test -run '^$' -bench BenchmarkLayers -benchmem -count 3 ./typed/
func BenchmarkLayers(b *testing.B) {
	value := Config{Name: strings.Repeat("configuration text ", 50), Limit: 42, Tags: []string{"a", "b", "c"}, Active: true}
	raw, err := typed.JSON.Marshal(value)
	if err != nil {
		b.Fatal(err)
	}
	kr, err := typed.NewKeyring("k1", map[string][]byte{"k1": typed.NewKey()})
	if err != nil {
		b.Fatal(err)
	}
	schema, err := typed.CompileSchema([]byte(`{"type":"object","required":["Name","Limit"],"properties":{"Limit":{"type":"integer","minimum":0}}}`))
	if err != nil {
		b.Fatal(err)
	}
	impls := []struct {
		name string
		opts typed.Options[Config]
	}{
		{"json", typed.Options[Config]{}},
		{"gob", typed.Options[Config]{Codec: typed.Gob}},
		{"json+zstd", typed.Options[Config]{Layers: []typed.Layer{typed.Compress(0)}}},
		{"json+aes", typed.Options[Config]{Layers: []typed.Layer{typed.Encrypt(kr)}}},
		{"json+zstd+aes", typed.Options[Config]{Layers: []typed.Layer{typed.Compress(0), typed.Encrypt(kr)}}},
		{"json+hook", typed.Options[Config]{Validate: func(string, Config) error { return nil }}},
		{"json+schema", typed.Options[Config]{Schema: schema}},
	}
	open := func(b *testing.B) *sqldict.Dict {
		d, err := sqldict.OpenURL(bg, "sqlite::memory:", sqldict.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { d.Close() })
		return d
	}
	// Each implementation is a pair of calls on a fresh journal.
	type calls struct {
		set func(key string) error
		get func(key string) error
	}
	builds := []struct {
		name string
		new  func(b *testing.B) calls
	}{{"bytes", func(b *testing.B) calls {
		d := open(b)
		return calls{
			set: func(k string) error { return d.Set(bg, k, raw) },
			get: func(k string) error { _, err := d.Get(bg, k); return err },
		}
	}}}
	for _, im := range impls {
		builds = append(builds, struct {
			name string
			new  func(b *testing.B) calls
		}{im.name, func(b *testing.B) calls {
			d, err := typed.New(open(b), im.opts)
			if err != nil {
				b.Fatal(err)
			}
			return calls{
				set: func(k string) error { return d.Set(bg, k, value) },
				get: func(k string) error { _, err := d.Get(bg, k); return err },
			}
		}})
	}
	const keys = 100
	for _, op := range []string{"Set", "Get"} {
		for _, bl := range builds {
			b.Run("op="+op+"/impl="+bl.name, func(b *testing.B) {
				c := bl.new(b)
				call := c.set
				if op == "Get" {
					for i := range keys {
						if err := c.set("k" + strconv.Itoa(i)); err != nil {
							b.Fatal(err)
						}
					}
					call = c.get
				}
				for i := 0; b.Loop(); i++ {
					if err := call("k" + strconv.Itoa(i%keys)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
