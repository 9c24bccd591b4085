package typed

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
)

// A Codec turns values into bytes and back. Its Name is recorded in every
// envelope it writes, so it must be stable, unique among the codecs a Dict
// knows, and at most 255 bytes. Marshal and Unmarshal must be safe for
// concurrent use; Unmarshal receives a pointer to the Dict's T.
type Codec interface {
	Name() string
	Marshal(v any) ([]byte, error)
	Unmarshal(data []byte, v any) error
}

// The built-in codecs. Every Dict can read all three whatever its
// Options.Codec, so changing the codec never makes older versions
// unreadable (as long as they decode into T).
var (
	// JSON is encoding/json; the default. Values must survive a JSON round
	// trip (unexported fields are dropped, as encoding/json does).
	JSON Codec = jsonCodec{}
	// Gob is encoding/gob, one self-contained stream per value (gob's type
	// description is repeated in every value: prefer JSON for small ones).
	Gob Codec = gobCodec{}
	// Raw stores a []byte or string T as it is. Other types fail with
	// sqldict.ErrInvalidArgument on write and ErrDecode on read.
	Raw Codec = rawCodec{}
)

type jsonCodec struct{}

func (jsonCodec) Name() string                       { return "json" }
func (jsonCodec) Marshal(v any) ([]byte, error)      { return json.Marshal(v) }
func (jsonCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

type gobCodec struct{}

func (gobCodec) Name() string { return "gob" }

func (gobCodec) Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (gobCodec) Unmarshal(data []byte, v any) error {
	return gob.NewDecoder(bytes.NewReader(data)).Decode(v)
}

type rawCodec struct{}

func (rawCodec) Name() string { return "raw" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	switch v := v.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	case *[]byte:
		return *v, nil
	case *string:
		return []byte(*v), nil
	}
	return nil, fmt.Errorf("raw codec stores []byte and string, not %T", v)
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	switch v := v.(type) {
	case *[]byte:
		*v = append([]byte{}, data...) // empty, not nil: an empty value is not a missing one
		return nil
	case *string:
		*v = string(data)
		return nil
	}
	return fmt.Errorf("raw codec reads into *[]byte and *string, not %T", v)
}

// Payload is a value taken out of its envelope but not decoded: the name
// of the codec that wrote it and that codec's bytes. A Dict[Payload] reads
// values of every codec, known to it or not, for tools that show or copy
// values they have no Go type for (the CLI); writing a Payload stores Data
// under the codec name Codec, as it is, through the Dict's layers.
type Payload struct {
	Codec string
	Data  []byte
}

// builtinCodecs are known to every Dict.
var builtinCodecs = []Codec{JSON, Gob, Raw}
