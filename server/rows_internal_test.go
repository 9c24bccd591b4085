package server

import (
	"strings"
	"testing"

	"github.com/sqldict/sqldict/sqldict"
)

// TestRows: a remembered row answers only for its own version, a newer
// row is never replaced by an older one, stale answers stop the trust,
// and the key bytes stay bounded.
func TestRows(t *testing.T) {
	c := newRows()
	if _, ok := c.deletedAt("k", 1); ok || c.trusted("k") {
		t.Fatal("an unknown key is answered")
	}
	c.note(sqldict.Entry{Key: "k", Version: 2, Deleted: true})
	c.note(sqldict.Entry{Key: "k", Version: 1})
	if del, ok := c.deletedAt("k", 2); !ok || !del {
		t.Fatalf("version 2: %v %v, want a tombstone", del, ok)
	}
	if _, ok := c.deletedAt("k", 1); ok {
		t.Fatal("version 1 answered from the row of version 2")
	}
	if !c.trusted("k") {
		t.Fatal("not trusted after one hit and one miss")
	}
	for range 40 {
		c.deletedAt("k", 7)
	}
	if c.trusted("k") {
		t.Fatal("trusted after 40 misses")
	}
	for range 200 {
		c.deletedAt("k", 2)
	}
	if !c.trusted("k") {
		t.Fatal("not trusted after 200 hits")
	}
	long := strings.Repeat("x", 1<<20)
	for i := range 20 {
		c.note(sqldict.Entry{Key: long + string(rune('a'+i)), Version: 1})
		if c.bytes > rowsMaxBytes {
			t.Fatalf("%d key bytes, over %d", c.bytes, rowsMaxBytes)
		}
	}
}
