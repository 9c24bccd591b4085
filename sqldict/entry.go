package sqldict

import (
	"database/sql"
	"fmt"
	"time"
)

// Entry is one row of the journal: one write of one key.
type Entry struct {
	Key      string
	Value    []byte // nil for a tombstone
	Deleted  bool   // a tombstone: the write deleted Key
	Sequence int64  // the commit's position in the journal, 1, 2, 3 …
	Version  int64  // the key's version: 1 on first write, +1 each write after
	Created  time.Time
	Author   string
	Comment  string
}

// Write is one change inside a Commit.
type Write struct {
	Key    string
	Value  []byte // the new value; must be nil when Delete is set
	Delete bool   // append a tombstone; the key must exist
	// IfVersion, when set with Expect, makes the whole commit fail with
	// ErrConflict unless the key's current version is the one named.
	IfVersion Expectation
	// Author and Comment are optional commit metadata: valid UTF-8
	// without NUL, at most MaxTextLength bytes each.
	Author  string
	Comment string
}

// Expectation is the version a Write expects its key to be at. The zero
// value expects nothing.
type Expectation struct {
	v   int64
	set bool
}

// Expect returns the expectation that the key is at version v. Expect(0)
// means the key must not exist: never written, or deleted. An expectation of
// a tombstone's version also holds, so a client that saw the deletion can
// recreate the key.
func Expect(v int64) Expectation { return Expectation{v: v, set: true} }

// Version returns the expected version and whether one is set.
func (e Expectation) Version() (int64, bool) { return e.v, e.set }

// scanEntry reads one row in dialects.EntryColumns order.
func scanEntry(row interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	var item []byte
	var created dbTime
	var author, comment sql.NullString
	if err := row.Scan(&e.Sequence, &e.Key, &item, &e.Deleted, &created, &e.Version, &author, &comment); err != nil {
		return Entry{}, err
	}
	if !e.Deleted && item == nil {
		item = []byte{} // an empty value is not a tombstone
	}
	e.Value, e.Created, e.Author, e.Comment = item, created.t, author.String, comment.String
	return e, nil
}

// dbTime scans a created column whatever form the driver hands it in: a
// time.Time (PostgreSQL, MySQL with parseTime), or text (SQLite, MySQL
// without parseTime). Text is read as UTC: sqldict writes UTC only.
type dbTime struct{ t time.Time }

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
}

func (d *dbTime) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		d.t = time.Time{}
		return nil
	case time.Time:
		d.t = v.UTC()
		return nil
	case []byte:
		return d.parse(string(v))
	case string:
		return d.parse(v)
	}
	return fmt.Errorf("scan created: unsupported type %T", v)
}

func (d *dbTime) parse(s string) error {
	if s == "" {
		d.t = time.Time{}
		return nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			d.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("scan created: cannot parse %q", s)
}
