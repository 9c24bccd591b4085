package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/sqldict/sqldict/internal/textdiff"

	"github.com/sqldict/sqldict/sqldict"
)

// jsonEntry is an entry in --json output. A live value is given as "value"
// when it is UTF-8 text without NUL, otherwise as "value_base64"; neither is
// present for a tombstone or when the command does not show values.
type jsonEntry struct {
	Key         string  `json:"key"`
	Value       *string `json:"value,omitempty"`
	ValueBase64 *string `json:"value_base64,omitempty"`
	Deleted     bool    `json:"deleted"`
	Sequence    int64   `json:"sequence"`
	Version     int64   `json:"version"`
	Created     string  `json:"created"`
	Author      string  `json:"author"`
	Comment     string  `json:"comment"`
}

func (a *app) jsonEntry(e sqldict.Entry, withValue bool) jsonEntry {
	j := jsonEntry{
		Key: e.Key, Deleted: e.Deleted, Sequence: e.Sequence, Version: e.Version,
		Created: a.formatTime(e.Created), Author: e.Author, Comment: e.Comment,
	}
	if withValue && !e.Deleted {
		if isText(e.Value) {
			s := string(e.Value)
			j.Value = &s
		} else {
			s := base64.StdEncoding.EncodeToString(e.Value)
			j.ValueBase64 = &s
		}
	}
	return j
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// isText reports whether b is shown as text: valid UTF-8 without NUL.
func isText(b []byte) bool { return textdiff.IsText(b) }

// writeValue writes a value exactly; on a terminal it ends the line too.
func (a *app) writeValue(v []byte) error {
	if _, err := a.stdout.Write(v); err != nil {
		return err
	}
	if len(v) > 0 && v[len(v)-1] != '\n' && isTerminal(a.stdout) {
		_, err := io.WriteString(a.stdout, "\n")
		return err
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func unified(oldLabel, newLabel string, old, new []byte) string {
	return textdiff.Unified(oldLabel, newLabel, old, new)
}

// quoted returns s as it is when it prints as one unambiguous line, else
// Go-quoted: a key, author or comment with a newline, a terminal escape or
// another control character must not pass for other output (a second key,
// a forged "Date:" line). --json output carries them raw.
func quoted(s string) string {
	if s == "" || strings.HasPrefix(s, `"`) || strings.TrimSpace(s) != s {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// versionLabel names a version of a key in diff headers.
func versionLabel(key string, v int64) string {
	if v == 0 {
		return "/dev/null"
	}
	return fmt.Sprintf("%s@%d", quoted(key), v)
}
