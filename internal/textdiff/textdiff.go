// Package textdiff decides whether a value is shown as text and renders
// the unified diff of two values, so the CLI and the web UI show the same
// diffs (go-udiff, default context lines).
package textdiff

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/aymanbagabas/go-udiff"
)

// IsText reports whether b is shown as text: valid UTF-8 without NUL.
func IsText(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// Unified returns the unified diff from old to new under the two labels;
// "" when they are equal, and a one-line summary when either is binary.
func Unified(oldLabel, newLabel string, old, new []byte) string {
	if bytes.Equal(old, new) {
		return ""
	}
	if !IsText(old) || !IsText(new) {
		return fmt.Sprintf("Binary values %s and %s differ (%d → %d bytes)\n", oldLabel, newLabel, len(old), len(new))
	}
	edits := udiff.Lines(string(old), string(new))
	text, err := udiff.ToUnified(oldLabel, newLabel, string(old), edits, udiff.DefaultContextLines)
	if err != nil {
		// The edits come from the same strings: this cannot happen.
		return fmt.Sprintf("diff %s %s: %v\n", oldLabel, newLabel, err)
	}
	return text
}
