package doclinks

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// repoRoot is the repository's top directory, seen from this package.
const repoRoot = "../.."

// linkRE matches an inline Markdown link or image: [text](target) or
// [text](target "title").
var linkRE = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// TestLinks_Resolve checks every relative link of every Markdown file.
func TestLinks_Resolve(t *testing.T) {
	files := markdownFiles(t)
	if len(files) == 0 {
		t.Fatal("found no Markdown files")
	}
	for _, f := range files {
		for _, l := range links(t, f) {
			if err := resolve(f, l.target); err != "" {
				t.Errorf("%s:%d: link %q: %s", rel(f), l.line, l.target, err)
			}
		}
	}
}

// TestLinks_NothingOutside checks that the docs cite no file outside the
// repository (the contract once lived in ../shared/DESIGN.md and HTTP.md).
func TestLinks_NothingOutside(t *testing.T) {
	for _, f := range markdownFiles(t) {
		for _, l := range links(t, f) {
			p := filepath.Join(filepath.Dir(f), strings.SplitN(l.target, "#", 2)[0])
			if !external(l.target) && !strings.HasPrefix(l.target, "#") && outside(p) {
				t.Errorf("%s:%d: link %q leaves the repository", rel(f), l.line, l.target)
			}
		}
	}
}

type link struct {
	target string
	line   int
}

// markdownFiles lists the repository's Markdown files, skipping test data
// and hidden directories.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != repoRoot && (strings.HasPrefix(name, ".") || name == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".md") {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// links returns the links of file f outside fenced code blocks.
func links(t *testing.T, f string) []link {
	t.Helper()
	fh, err := os.Open(f)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []link
	fenced := false
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		if fenced {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(stripCode(line), -1) {
			out = append(out, link{target: m[1], line: n})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// stripCode removes inline code spans, whose brackets are not links.
func stripCode(line string) string {
	return regexp.MustCompile("`[^`]*`").ReplaceAllString(line, "")
}

// resolve says what is wrong with target as a link from file f, or "".
func resolve(f, target string) string {
	if external(target) {
		return ""
	}
	path, frag, _ := strings.Cut(target, "#")
	p := f
	if path != "" {
		p = filepath.Join(filepath.Dir(f), path)
		if _, err := os.Stat(p); err != nil {
			return "no such file"
		}
	}
	if frag == "" || !strings.HasSuffix(p, ".md") {
		return ""
	}
	if !hasAnchor(p, frag) {
		return "no heading with that anchor in " + rel(p)
	}
	return ""
}

func external(target string) bool {
	return strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:")
}

// hasAnchor reports whether a heading of Markdown file p has the GitHub
// anchor frag.
func hasAnchor(p, frag string) bool {
	b, err := os.ReadFile(p)
	if err != nil {
		return false
	}
	fenced := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(line, "#") && anchor(strings.TrimLeft(line, "#")) == frag {
			return true
		}
	}
	return false
}

// anchor is GitHub's anchor of a heading: lower case, letters, digits, '-'
// and '_' kept, spaces turned into '-', everything else dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func outside(p string) bool {
	r, err := filepath.Rel(repoRoot, p)
	return err != nil || r == ".." || strings.HasPrefix(r, "../")
}

func rel(p string) string {
	r, err := filepath.Rel(repoRoot, p)
	if err != nil {
		return p
	}
	return r
}
