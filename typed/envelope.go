package typed

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"
)

// The envelope (version 1), written in front of every value; the package
// doc describes it for readers in other languages.
const (
	magic           = "\xfeSD" // 0xFE never occurs in UTF-8 text or JSON
	envelopeVersion = 1
	flagExpires     = 1 << 0
	knownFlags      = flagExpires
)

// header is what an envelope says about its payload.
type header struct {
	codec   string
	expires time.Time // zero: never
	layers  []layerRecord
	// prefix[i] is the header bytes before layers[i]'s record: the part of
	// the header layer i authenticates (see Scope).
	prefix [][]byte
}

type layerRecord struct {
	name  string
	param []byte
}

// layer returns the parameter of the named layer's record (the key ID of an
// encryption layer), and whether the envelope records that layer.
func (h header) layer(name string) ([]byte, bool) {
	for _, l := range h.layers {
		if l.name == name {
			return l.param, true
		}
	}
	return nil, false
}

// appendStart appends the fixed part of a header: everything before the
// layer records.
func appendStart(b []byte, codec string, expires time.Time) ([]byte, error) {
	if len(codec) == 0 || len(codec) > 255 {
		return nil, fmt.Errorf("codec name %q: want 1 to 255 bytes", codec)
	}
	b = append(b, magic...)
	b = append(b, envelopeVersion)
	var flags byte
	if !expires.IsZero() {
		flags |= flagExpires
	}
	b = append(b, flags, byte(len(codec)))
	b = append(b, codec...)
	if !expires.IsZero() {
		b = binary.BigEndian.AppendUint64(b, uint64(expires.UnixMicro()))
	}
	return b, nil
}

// appendLayer appends one layer record.
func appendLayer(b []byte, name string, param []byte) ([]byte, error) {
	if len(name) == 0 || len(name) > 255 || len(param) > 255 {
		return nil, fmt.Errorf("layer %q: name must be 1 to 255 bytes, parameter at most 255 (got %d)", name, len(param))
	}
	b = append(b, byte(len(name)))
	b = append(b, name...)
	b = append(b, byte(len(param)))
	return append(b, param...), nil
}

// isEnvelope reports whether b starts with the envelope magic.
func isEnvelope(b []byte) bool { return bytes.HasPrefix(b, []byte(magic)) }

// parseHeader splits an envelope into its header and payload. Errors match
// ErrFormat.
func parseHeader(b []byte) (header, []byte, error) {
	var h header
	if !isEnvelope(b) {
		return h, nil, fmt.Errorf("%w: no envelope header", ErrFormat)
	}
	p := parser{b: b, i: len(magic)}
	if v := p.byte(); v != envelopeVersion {
		if p.err != nil {
			return h, nil, p.err
		}
		return h, nil, fmt.Errorf("%w: envelope version %d (this sqldict reads %d)", ErrFormat, v, envelopeVersion)
	}
	flags := p.byte()
	if flags&^knownFlags != 0 {
		return h, nil, fmt.Errorf("%w: unknown envelope flags %#x", ErrFormat, flags)
	}
	h.codec = string(p.short())
	if flags&flagExpires != 0 {
		h.expires = time.UnixMicro(int64(p.uint64())).UTC()
	}
	for p.err == nil {
		start := p.i
		name := p.short()
		if p.err != nil || len(name) == 0 {
			break
		}
		h.prefix = append(h.prefix, b[:start:start])
		h.layers = append(h.layers, layerRecord{name: string(name), param: p.short()})
	}
	if p.err != nil {
		return header{}, nil, p.err
	}
	if h.codec == "" {
		return header{}, nil, fmt.Errorf("%w: empty codec name", ErrFormat)
	}
	return h, b[p.i:], nil
}

// parser reads an envelope header; the first error sticks.
type parser struct {
	b   []byte
	i   int
	err error
}

func (p *parser) take(n int) []byte {
	if p.err != nil {
		return nil
	}
	if len(p.b)-p.i < n {
		p.err = fmt.Errorf("%w: truncated envelope header", ErrFormat)
		return nil
	}
	s := p.b[p.i : p.i+n]
	p.i += n
	return s
}

func (p *parser) byte() byte {
	if s := p.take(1); s != nil {
		return s[0]
	}
	return 0
}

// short reads a length byte and that many bytes.
func (p *parser) short() []byte { return p.take(int(p.byte())) }

func (p *parser) uint64() uint64 {
	if s := p.take(8); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}
