package typed_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/typed"
)

// calls are one implementation's Set and Get on a fresh journal.
type calls struct {
	set func(key string) error
	get func(key string) error
}

type build struct {
	name string
	new  func(b *testing.B) calls
}

const benchKeys = 100

// layerBuilds returns the plain byte Dict (impl=bytes, the value
// pre-marshalled) and a typed Dict per layer, each writing a ~1 KiB
// JSON-able value on in-memory SQLite, so that ratios show the layers' CPU
// cost rather than fsync.
func layerBuilds(b *testing.B) []build {
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
	builds := []build{{"bytes", func(b *testing.B) calls {
		d := open(b)
		return calls{
			set: func(k string) error { return d.Set(bg, k, raw) },
			get: func(k string) error { _, err := d.Get(bg, k); return err },
		}
	}}}
	for _, im := range impls {
		builds = append(builds, build{im.name, func(b *testing.B) calls {
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
	return builds
}

// BenchmarkLayers measures Get and Set through each layer beside the plain
// Dict, one sub-benchmark each (allocations per call are exact; times drift
// with the machine's load between sub-benchmarks, so compare ratios from
// BenchmarkLayersInterleaved):
//
//	go test -run '^$' -bench BenchmarkLayers -benchmem -count 3 ./typed/
func BenchmarkLayers(b *testing.B) {
	builds := layerBuilds(b)
	for _, op := range []string{"Set", "Get"} {
		for _, bl := range builds {
			b.Run("op="+op+"/impl="+bl.name, func(b *testing.B) {
				c := bl.new(b)
				call := c.set
				if op == "Get" {
					for i := range benchKeys {
						if err := c.set("k" + strconv.Itoa(i)); err != nil {
							b.Fatal(err)
						}
					}
					call = c.get
				}
				for i := 0; b.Loop(); i++ {
					if err := call("k" + strconv.Itoa(i%benchKeys)); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkLayersInterleaved runs one Set and one Get of every
// implementation per iteration, in turn, so that a change of the machine's
// load hits them all alike, and reports each one's mean time per call
// (µs/set-NAME, µs/get-NAME) and its ratio to the plain Dict
// (x/set-NAME, x/get-NAME).
func BenchmarkLayersInterleaved(b *testing.B) {
	builds := layerBuilds(b)
	cs := make([]calls, len(builds))
	for i, bl := range builds {
		cs[i] = bl.new(b)
		for k := range benchKeys {
			if err := cs[i].set("k" + strconv.Itoa(k)); err != nil {
				b.Fatal(err)
			}
		}
	}
	set := make([]time.Duration, len(cs))
	get := make([]time.Duration, len(cs))
	n := 0
	for i := 0; b.Loop(); i++ {
		key := "k" + strconv.Itoa(i%benchKeys)
		for j, c := range cs {
			t0 := time.Now()
			if err := c.set(key); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := c.get(key); err != nil {
				b.Fatal(err)
			}
			set[j] += t1.Sub(t0)
			get[j] += time.Since(t1)
		}
		n++
	}
	for j, bl := range builds {
		b.ReportMetric(float64(set[j].Microseconds())/float64(n), "µs/set-"+bl.name)
		b.ReportMetric(float64(get[j].Microseconds())/float64(n), "µs/get-"+bl.name)
		if j > 0 {
			b.ReportMetric(float64(set[j])/float64(set[0]), "x/set-"+bl.name)
			b.ReportMetric(float64(get[j])/float64(get[0]), "x/get-"+bl.name)
		}
	}
}
