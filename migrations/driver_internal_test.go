package migrations

import (
	"io/fs"
	"strings"
	"testing"
)

// TestStatements_Files splits every embedded migration: no statement holds
// a DELIMITER line (a directive the splitter took for text), and the
// directive appears only in MySQL files, which set ";" back at their end.
func TestStatements_Files(t *testing.T) {
	for _, dialect := range []string{"sqlite", "mysql", "postgres"} {
		names, err := fs.Glob(files, dialect+"/*.sql")
		if err != nil || len(names) == 0 {
			t.Fatalf("%s: %v, %d files", dialect, err, len(names))
		}
		for _, name := range names {
			text, err := fs.ReadFile(files, name)
			if err != nil {
				t.Fatal(err)
			}
			stmts := Statements(string(text))
			if len(stmts) == 0 {
				t.Errorf("%s: no statements", name)
			}
			for _, s := range stmts {
				for line := range strings.Lines(s) {
					if w, _, _ := strings.Cut(strings.TrimSpace(line), " "); strings.EqualFold(w, "DELIMITER") {
						t.Errorf("%s: a statement holds a DELIMITER line: %q", name, s)
					}
				}
			}
			last := ";"
			for line := range strings.Lines(string(text)) {
				if w, rest, _ := strings.Cut(strings.TrimSpace(line), " "); strings.EqualFold(w, "DELIMITER") {
					if dialect != "mysql" {
						t.Errorf("%s: a DELIMITER line in a %s file", name, dialect)
					}
					last = strings.TrimSpace(rest)
				}
			}
			if last != ";" {
				t.Errorf("%s: ends with DELIMITER %s, not ;", name, last)
			}
		}
	}
}
