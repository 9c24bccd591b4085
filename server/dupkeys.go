package server

import (
	"encoding/json"
	"strings"
)

// duplicateKey returns the first member name that appears twice in one
// object of data, a valid JSON text, at any depth. Names are compared as
// encoding/json matches them to struct fields, ignoring case: otherwise
// {"if_version":1,"IF_VERSION":null} would decode, last one winning, into
// an unconditional write.
func duplicateKey(data []byte) (string, bool) {
	type frame struct {
		names     map[string]struct{} // nil in an array
		expectKey bool
	}
	var stack []frame
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '{':
			stack = append(stack, frame{names: map[string]struct{}{}, expectKey: true})
		case '[':
			stack = append(stack, frame{})
		case '}', ']':
			stack = stack[:len(stack)-1]
		case ',':
			if top := &stack[len(stack)-1]; top.names != nil {
				top.expectKey = true
			}
		case '"':
			end := stringEnd(data, i)
			if n := len(stack); n > 0 && stack[n-1].names != nil && stack[n-1].expectKey {
				name := strings.ToLower(unquote(data[i : end+1]))
				if _, dup := stack[n-1].names[name]; dup {
					return name, true
				}
				stack[n-1].names[name] = struct{}{}
				stack[n-1].expectKey = false
			}
			i = end
		}
	}
	return "", false
}

// stringEnd returns the index of the quote that closes the string opening
// at data[start].
func stringEnd(data []byte, start int) int {
	for j := start + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(data) - 1
}

// unquote decodes a JSON string literal (with its quotes).
func unquote(lit []byte) string {
	if !strings.ContainsRune(string(lit), '\\') {
		return string(lit[1 : len(lit)-1])
	}
	var s string
	_ = json.Unmarshal(lit, &s)
	return s
}
