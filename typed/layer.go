package typed

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// A Layer transforms a value's bytes after the codec on write (Seal) and
// before it on read (Open): compression, encryption, or one of your own.
// Layers run in Options.Layers order on write and in reverse on read; each
// one that changed the bytes is recorded in the envelope by Name with the
// parameter Seal returned, so a read undoes exactly what the write did even
// after the configuration changed. Implementations must be safe for
// concurrent use.
type Layer interface {
	// Name identifies the layer in envelopes: stable, unique among the
	// layers a Dict knows, 1 to 255 bytes.
	Name() string
	// Seal transforms b. skip reports that the layer left b as it is (a
	// value too small to compress), and then nothing is recorded. param
	// (at most 255 bytes) is stored in the clear and handed back to Open.
	Seal(s Scope, b []byte) (out, param []byte, skip bool, err error)
	// Open undoes Seal.
	Open(s Scope, param, b []byte) ([]byte, error)
}

// Scope is where a value is stored, handed to layers so that encryption can
// bind a ciphertext to its place: the journal table, the key, and the
// envelope header written before the layer's record (codec, expiry, the
// layers applied before it).
type Scope struct {
	Table  string
	Key    string
	Header []byte
}

// AdditionalData returns the scope as one unambiguous byte string (each part
// length-prefixed), for use as AEAD additional data.
func (s Scope) AdditionalData() []byte {
	b := make([]byte, 0, 32+len(s.Table)+len(s.Key)+len(s.Header))
	b = append(b, "sqldict/typed"...)
	for _, part := range []string{s.Table, s.Key, string(s.Header)} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	return b
}

// DefaultCompressMin is the smallest value Compress compresses when given 0.
const DefaultCompressMin = 256

// MaxDecompressed bounds the size of a decompressed value, so that a
// corrupt or hostile value cannot exhaust memory.
const MaxDecompressed = 256 << 20

// Compress returns the zstd layer ("zstd"). Values shorter than minSize
// bytes (0: DefaultCompressMin) and values that do not shrink are stored as
// they are, and their envelope records no compression. Every Dict can read
// zstd values, configured with this layer or not.
func Compress(minSize int) Layer {
	if minSize <= 0 {
		minSize = DefaultCompressMin
	}
	return zstdLayer{min: minSize}
}

type zstdLayer struct{ min int }

// One encoder and decoder serve every Dict: EncodeAll and DecodeAll are
// safe for concurrent use, and building them is expensive.
var (
	zstdOnce sync.Once
	zstdEnc  *zstd.Encoder
	zstdDec  *zstd.Decoder
)

func zstdCodecs() (*zstd.Encoder, *zstd.Decoder) {
	zstdOnce.Do(func() {
		var err error
		zstdEnc, err = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic(fmt.Sprintf("typed: zstd encoder: %v", err)) // fixed options: cannot fail
		}
		zstdDec, err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(MaxDecompressed))
		if err != nil {
			panic(fmt.Sprintf("typed: zstd decoder: %v", err))
		}
	})
	return zstdEnc, zstdDec
}

func (zstdLayer) Name() string { return "zstd" }

func (l zstdLayer) Seal(_ Scope, b []byte) ([]byte, []byte, bool, error) {
	if len(b) < l.min {
		return b, nil, true, nil
	}
	enc, _ := zstdCodecs()
	out := enc.EncodeAll(b, make([]byte, 0, len(b)/2))
	if len(out) >= len(b) {
		return b, nil, true, nil
	}
	return out, nil, false, nil
}

func (zstdLayer) Open(_ Scope, _ []byte, b []byte) ([]byte, error) {
	_, dec := zstdCodecs()
	out, err := dec.DecodeAll(b, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: zstd: %v", ErrDecode, err)
	}
	return out, nil
}
