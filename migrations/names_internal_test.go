package migrations

import (
	"slices"
	"testing"
)

// TestCreated: the names a journal's migrations create, per dialect, are
// what the collision check looks up.
func TestCreated(t *testing.T) {
	for dialect, want := range map[string][2][]string{
		"sqlite":   {{"j", "j_head", "j_meta"}, {"j_label_seq", "j_label_version", "j_created"}},
		"postgres": {{"j", "j_head", "j_meta"}, {"j_label_seq", "j_label_version", "j_created"}},
		"mysql":    {{"j", "j_head", "j_meta"}, nil},
	} {
		files, err := renderFS(dialect, Journal{Table: "j", KeyLength: 16})
		if err != nil {
			t.Fatal(err)
		}
		tables, indexes := created(files)
		if !slices.Equal(tables, want[0]) || !slices.Equal(indexes, want[1]) {
			t.Errorf("%s: created tables %q, indexes %q; want %q, %q", dialect, tables, indexes, want[0], want[1])
		}
	}
}
