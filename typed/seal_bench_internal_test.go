package typed

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// BenchmarkSealOpen is the CPU cost of the envelope and each layer alone,
// without the database: what BenchmarkLayersInterleaved adds to a Get or a
// Set of the plain Dict.
//
//	go test -run '^$' -bench BenchmarkSealOpen -benchmem -count 3 ./typed/
func BenchmarkSealOpen(b *testing.B) {
	type config struct {
		Name   string
		Limit  int
		Tags   []string
		Active bool
	}
	value := config{Name: strings.Repeat("configuration text ", 50), Limit: 42, Tags: []string{"a", "b", "c"}, Active: true}
	kr, err := NewKeyring("k1", map[string][]byte{"k1": NewKey()})
	if err != nil {
		b.Fatal(err)
	}
	schema, err := CompileSchema([]byte(`{"type":"object","required":["Name","Limit"],"properties":{"Limit":{"type":"integer","minimum":0}}}`))
	if err != nil {
		b.Fatal(err)
	}
	// The store is never called: seal and open only need a Dict.
	store, err := sqldict.OpenURL(context.Background(), "sqlite::memory:", sqldict.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	for _, c := range []struct {
		name string
		opts Options[config]
	}{
		{"json", Options[config]{}},
		{"gob", Options[config]{Codec: Gob}},
		{"json+zstd", Options[config]{Layers: []Layer{Compress(0)}}},
		{"json+aes", Options[config]{Layers: []Layer{Encrypt(kr)}}},
		{"json+zstd+aes", Options[config]{Layers: []Layer{Compress(0), Encrypt(kr)}}},
		{"json+schema", Options[config]{Schema: schema}},
	} {
		d, err := New(store, c.opts)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := d.seal("k", value, time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("op=seal/impl="+c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := d.seal("k", value, time.Time{}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("op=open/impl="+c.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := d.open("k", raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
