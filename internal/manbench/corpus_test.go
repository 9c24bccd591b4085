package manbench

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

func TestLoad_SortsAndGunzips(t *testing.T) {
	dir := t.TempDir()
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(".TH LS 1"))
	zw.Close()
	for name, body := range map[string][]byte{"ls.1.gz": z.Bytes(), "cat.1": []byte(".TH CAT 1"), "zz.1": []byte("x")} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pages, err := Load(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || pages[0].Name != "cat.1" || pages[1].Name != "ls.1.gz" || string(pages[1].Text) != ".TH LS 1" {
		t.Fatalf("got %+v", pages)
	}
	if _, err := Load(dir, 4); err == nil {
		t.Fatal("Load of 4 pages from a folder of 3: no error")
	}
}
