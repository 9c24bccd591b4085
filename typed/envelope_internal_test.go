package typed

import (
	"errors"
	"testing"
	"time"
)

func TestParseHeader_Malformed(t *testing.T) {
	good, err := appendStart(nil, "json", time.UnixMicro(1234567))
	if err != nil {
		t.Fatal(err)
	}
	good, _ = appendLayer(good, "zstd", nil)
	good = append(good, 0, 'x')
	h, payload, err := parseHeader(good)
	if err != nil || h.codec != "json" || h.expires.UnixMicro() != 1234567 || len(h.layers) != 1 || string(payload) != "x" {
		t.Fatalf("parseHeader(good) = %+v, %q, %v", h, payload, err)
	}
	for i := range len(good) - 1 { // every truncation short of the payload
		if _, _, err := parseHeader(good[:i]); !errors.Is(err, ErrFormat) {
			t.Fatalf("parseHeader of %d bytes = %v, want ErrFormat", i, err)
		}
	}
	for name, b := range map[string][]byte{
		"version 2":     []byte(magic + "\x02\x00\x04json\x00"),
		"unknown flag":  []byte(magic + "\x01\x02\x04json\x00"),
		"empty codec":   []byte(magic + "\x01\x00\x00\x00"),
		"not envelope":  []byte(`{"a":1}`),
		"short layer":   []byte(magic + "\x01\x00\x04json\x04zs"),
		"missing param": []byte(magic + "\x01\x00\x04json\x04zstd"),
	} {
		if _, _, err := parseHeader(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: parseHeader = %v, want ErrFormat", name, err)
		}
	}
}

func FuzzParseHeader(f *testing.F) {
	f.Add([]byte(magic + "\x01\x01\x04json\x00\x00\x00\x00\x00\x00\x00\x01\x04zstd\x00\x00payload"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, payload, err := parseHeader(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not match ErrFormat", err)
			}
			return
		}
		if len(h.prefix) != len(h.layers) || len(payload) > len(b) {
			t.Fatalf("inconsistent header %+v", h)
		}
	})
}
