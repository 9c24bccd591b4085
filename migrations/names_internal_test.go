package migrations

import (
	"slices"
	"testing"
)

// TestCreated: the names a journal's migrations create, per dialect, are
// what the collision check looks up.
func TestCreated(t *testing.T) {
	for dialect, want := range map[string][3][]string{
		"sqlite":   {{"j", "j_head", "j_meta"}, {"j_label_seq", "j_label_version", "j_created"}, nil},
		"postgres": {{"j", "j_head", "j_meta"}, {"j_label_seq", "j_label_version", "j_created"}, nil},
		"mysql":    {{"j", "j_head", "j_meta"}, nil, {"j_commit"}},
	} {
		files, err := renderFS(dialect, Journal{Table: "j", KeyLength: 16})
		if err != nil {
			t.Fatal(err)
		}
		tables, indexes, procedures := created(files)
		if !slices.Equal(tables, want[0]) || !slices.Equal(indexes, want[1]) || !slices.Equal(procedures, want[2]) {
			t.Errorf("%s: created tables %q, indexes %q, procedures %q; want %q, %q, %q",
				dialect, tables, indexes, procedures, want[0], want[1], want[2])
		}
	}
}
