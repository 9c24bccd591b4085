package mysql

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/sqldict/sqldict/dialects"
)

var _ dialects.ArrayBinder = (*Dialect)(nil)

// commitRows is Queries.CommitRows: MariaDB pairs the JSON arrays of a call
// by ordinal as block nested loops (its JSON_TABLE has no index, and a
// materialised one with a key puts TEXT columns in an on-disk temporary
// table), so a call's cost grows with the square of its rows; past this
// many the locked path, whose cost grows with the rows, is cheaper.
const commitRows = 32

// BindArray encodes an array parameter of Queries.Commit as the JSON text
// the journal's commit procedure unpacks with JSON_TABLE (migration 4):
// []string as strings, []int64 as numbers, []bool as 0 and 1, [][]byte as
// base64 strings (a nil element as null), a nil slice as []. Base64 rather than hex: a third
// larger than the bytes instead of twice, which matters next to
// max_allowed_packet (16 MiB by default on MariaDB) for a batch of up to
// 4 MiB of values; FROM_BASE64 decodes it on MySQL and MariaDB alike. A
// string that is not valid UTF-8 is refused: JSON cannot carry it
// verbatim (the core admits none in keys, authors and comments).
func (*Dialect) BindArray(v any) (any, error) {
	var b []byte
	switch a := v.(type) {
	case []string:
		if a == nil {
			a = []string{}
		}
		for _, s := range a {
			if !utf8.ValidString(s) {
				return nil, fmt.Errorf("bind array: %q is not valid UTF-8", s)
			}
		}
		return jsonText(json.Marshal(a))
	case []int64:
		b = append(b, '[')
		for i, n := range a {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, n, 10)
		}
	case []bool:
		b = append(b, '[')
		for i, t := range a {
			if i > 0 {
				b = append(b, ',')
			}
			if t {
				b = append(b, '1')
			} else {
				b = append(b, '0')
			}
		}
	case [][]byte:
		b = append(b, '[')
		for i, item := range a {
			if i > 0 {
				b = append(b, ',')
			}
			if item == nil {
				b = append(b, "null"...)
				continue
			}
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, item)
			b = append(b, '"')
		}
	default:
		return nil, fmt.Errorf("bind array: unsupported type %T", v)
	}
	return string(append(b, ']')), nil
}

// jsonText returns marshalled JSON as the string bound.
func jsonText(b []byte, err error) (any, error) {
	if err != nil {
		return nil, fmt.Errorf("bind array: %w", err)
	}
	return string(b), nil
}
