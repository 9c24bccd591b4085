package sqldict

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// checkKey enforces the key rules in code, before any engine sees the key:
// some engines truncate over-long strings silently in non-strict modes, and
// PostgreSQL rejects NUL in text.
func (d *Dict) checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty key", ErrInvalidKey)
	case len(key) > d.opts.KeyLength:
		return fmt.Errorf("%w: key of %d bytes exceeds KeyLength %d", ErrInvalidKey, len(key), d.opts.KeyLength)
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: key %q is not valid UTF-8", ErrInvalidKey, key)
	case strings.IndexByte(key, 0) >= 0:
		return fmt.Errorf("%w: key %q contains NUL", ErrInvalidKey, key)
	}
	return nil
}

// checkText enforces what author, comment and range bounds must be: text
// every engine stores verbatim.
func checkText(what, s string) error {
	if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%w: %s %q must be valid UTF-8 without NUL", ErrInvalidArgument, what, s)
	}
	return nil
}

func (d *Dict) checkWrite(w *Write) error {
	if err := d.checkKey(w.Key); err != nil {
		return err
	}
	if w.Delete && w.Value != nil {
		return fmt.Errorf("%w: write of %q both deletes and sets a value", ErrInvalidArgument, w.Key)
	}
	if len(w.Value) > d.opts.MaxValueSize {
		return fmt.Errorf("%w: value of %d bytes for %q exceeds MaxValueSize %d", ErrValueTooLarge, len(w.Value), w.Key, d.opts.MaxValueSize)
	}
	for _, f := range []struct{ what, s string }{{"author", w.Author}, {"comment", w.Comment}} {
		if len(f.s) > MaxTextLength {
			return fmt.Errorf("%w: %s of %d bytes exceeds MaxTextLength %d", ErrInvalidArgument, f.what, len(f.s), MaxTextLength)
		}
		if err := checkText(f.what, f.s); err != nil {
			return err
		}
	}
	if w.IfVersion.set && w.IfVersion.v < 0 {
		return fmt.Errorf("%w: expected version %d is negative", ErrInvalidArgument, w.IfVersion.v)
	}
	return nil
}
