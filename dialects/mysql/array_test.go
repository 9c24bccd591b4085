package mysql_test

import (
	"encoding/json"
	"testing"

	"github.com/sqldict/sqldict/dialects/mysql"
)

func TestBindArray(t *testing.T) {
	d := &mysql.Dialect{}
	for _, c := range []struct {
		in   any
		want string
	}{
		{[]string{"a", `q"\`, "é\x01<", ""}, `["a","q\"\\","é\u0001\u003c",""]`},
		{[]string(nil), `[]`},
		{[]int64{1, -2, 1 << 62}, `[1,-2,4611686018427387904]`},
		{[]int64{}, `[]`},
		{[]bool{true, false}, `[1,0]`},
		{[][]byte{{0, 0xff}, nil, {}}, `["AP8=",null,""]`},
	} {
		got, err := d.BindArray(c.in)
		if err != nil || got != c.want {
			t.Errorf("BindArray(%#v) = %v, %v; want %s", c.in, got, err, c.want)
			continue
		}
		if !json.Valid([]byte(got.(string))) {
			t.Errorf("BindArray(%#v) = %s: not JSON", c.in, got)
		}
	}
	for _, bad := range []any{[]string{"a\xff"}, []int{1}, "x"} {
		if got, err := d.BindArray(bad); err == nil {
			t.Errorf("BindArray(%#v) = %v, want an error", bad, got)
		}
	}
}
