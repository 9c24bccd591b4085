// Package manbench reproduces the Python ancestor's benchmark on a corpus
// nobody here wrote: the first 849 section-1 man pages installed on the
// machine, written into a store one Set per page (key = file name), the keys
// listed, every page read back. Stores: sqldict and the plain upsert table
// on each engine, and a directory of one file per key.
package manbench

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Pages is how many pages the ancestor's benchmark copied.
const Pages = 849

// Page is one man page: its file name and decompressed text.
type Page struct {
	Name string
	Text []byte
}

// FindMan1 returns the first man1 folder, along `man -w`'s path list, that
// holds at least Pages files.
func FindMan1() (string, error) {
	out, err := exec.Command("man", "-w").Output()
	path := strings.TrimSpace(string(out))
	if err != nil || path == "" {
		path = "/usr/local/share/man:/usr/share/man" // man-db's defaults
	}
	for _, dir := range filepath.SplitList(path) {
		d := filepath.Join(dir, "man1")
		if es, err := os.ReadDir(d); err == nil && len(es) >= Pages {
			return d, nil
		}
	}
	return "", fmt.Errorf("no man1 folder with %d pages along %q", Pages, path)
}

// Load reads the first n pages of dir, sorted by file name, gunzipping the
// compressed ones in memory.
func Load(dir string, n int) ([]Page, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range es {
		if e.Type().IsRegular() || e.Type()&os.ModeSymlink != 0 {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	if len(names) < n {
		return nil, fmt.Errorf("%s holds %d pages, want %d", dir, len(names), n)
	}
	pages := make([]Page, 0, n)
	for _, name := range names[:n] {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			if raw, err = io.ReadAll(zr); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
		}
		pages = append(pages, Page{Name: name, Text: raw})
	}
	return pages, nil
}
