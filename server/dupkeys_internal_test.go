package server

import "testing"

func TestDuplicateKey(t *testing.T) {
	for _, c := range []struct {
		json, dup string
	}{
		{`{"writes":[{"key":"k","if_version":1,"if_version":null}]}`, "if_version"},
		{`{"writes":[{"key":"k"}],"writes":[]}`, "writes"},
		{`{"writes":[{"key":"k","IF_VERSION":1,"if_version":null}]}`, "if_version"},
		{`{"writes":[{"key":"k","if_\u0076ersion":1,"if_version":null}]}`, "if_version"},
		{`{"a":{"b":{"c":1,"c":2}}}`, "c"},
		{`{"writes":[{"key":"k","value":"a\"b,\"key\":"},{"key":"k"}]}`, ""},
		{`{"writes":[{"key":"k"},{"key":"k"}],"x":{"key":1}}`, ""},
		{`[{"a":1},{"a":2}]`, ""},
		{`{"a":[1,{"a":2}],"b":"a"}`, ""},
	} {
		got, dup := duplicateKey([]byte(c.json))
		if got != c.dup || dup != (c.dup != "") {
			t.Errorf("%s: got %q %v, want %q", c.json, got, dup, c.dup)
		}
	}
}
