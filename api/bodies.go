package api

import (
	"encoding/base64"
	"fmt"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// TimeFormat is how times appear in JSON and are accepted in as_of:
// RFC 3339 in UTC with microseconds, the journal's precision.
const TimeFormat = "2006-01-02T15:04:05.000000Z07:00"

// Entry is an entry as JSON. Value is base64; it is absent for a
// tombstone and in write responses, and "" for a live empty value.
type Entry struct {
	Key      string  `json:"key"`
	Value    *string `json:"value,omitempty"`
	Deleted  bool    `json:"deleted"`
	Sequence int64   `json:"sequence"`
	Version  int64   `json:"version"`
	Created  string  `json:"created"`
	Author   string  `json:"author"`
	Comment  string  `json:"comment"`
}

// EntryJSON converts e; withValue includes a live entry's value.
func EntryJSON(e sqldict.Entry, withValue bool) Entry {
	out := Entry{
		Key: e.Key, Deleted: e.Deleted, Sequence: e.Sequence, Version: e.Version,
		Created: FormatTime(e.Created), Author: e.Author, Comment: e.Comment,
	}
	if withValue && !e.Deleted {
		v := base64.StdEncoding.EncodeToString(e.Value)
		out.Value = &v
	}
	return out
}

// Decode converts an entry back; a live entry without a value (a write
// response) gets a nil Value.
func (e Entry) Decode() (sqldict.Entry, error) {
	out := sqldict.Entry{
		Key: e.Key, Deleted: e.Deleted, Sequence: e.Sequence, Version: e.Version,
		Author: e.Author, Comment: e.Comment,
	}
	if e.Created != "" {
		t, err := time.Parse(time.RFC3339Nano, e.Created)
		if err != nil {
			return out, fmt.Errorf("entry %q: created: %w", e.Key, err)
		}
		out.Created = t
	}
	if e.Value != nil && !e.Deleted {
		v, err := base64.StdEncoding.DecodeString(*e.Value)
		if err != nil {
			return out, fmt.Errorf("entry %q: value: %w", e.Key, err)
		}
		out.Value = v
	}
	return out, nil
}

// FormatTime formats t as TimeFormat in UTC; "" for the zero time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeFormat)
}

// Keys is the answer of GET /v1/{table}/keys.
type Keys struct {
	Keys     []string `json:"keys"`
	Next     string   `json:"next"`
	Sequence int64    `json:"sequence"`
}

// Stat is the answer of GET /v1/{table}/stat. Created is "" for an empty
// journal.
type Stat struct {
	Sequence int64  `json:"sequence"`
	Created  string `json:"created"`
	Horizon  int64  `json:"horizon"`
	Keys     int    `json:"keys"`
}

// CommitRequest is the body of POST /v1/{table}/commit.
type CommitRequest struct {
	Writes []CommitWrite `json:"writes"`
}

// CommitWrite is one write of a CommitRequest. Value is base64. IfVersion
// absent means unconditional, 0 that the key must not exist.
type CommitWrite struct {
	Key       string `json:"key"`
	Value     []byte `json:"value,omitempty"`
	Delete    bool   `json:"delete,omitempty"`
	IfVersion *int64 `json:"if_version,omitempty"`
	Author    string `json:"author,omitempty"`
	Comment   string `json:"comment,omitempty"`
}

// CommitResponse is the answer of POST /v1/{table}/commit.
type CommitResponse struct {
	Entries []Entry `json:"entries"`
}

// Change is one element of the answer of GET /v1/{table}/diff.
type Change struct {
	Key    string `json:"key"`
	Kind   string `json:"kind"`
	Before *Entry `json:"before"`
	After  *Entry `json:"after"`
}

// PrunePolicy is the body of POST /v1/{table}/prune: prune.Policy as JSON.
// KeepFor is a Go duration ("720h"), Before an RFC 3339 time.
type PrunePolicy struct {
	KeepVersions int    `json:"keep_versions,omitempty"`
	KeepFor      string `json:"keep_for,omitempty"`
	Through      int64  `json:"through,omitempty"`
	Before       string `json:"before,omitempty"`
	DropDeleted  bool   `json:"drop_deleted,omitempty"`
	BatchSize    int    `json:"batch_size,omitempty"`
}

// PruneResult is the answer of POST /v1/{table}/prune.
type PruneResult struct {
	Removed int64 `json:"removed"`
	Batches int   `json:"batches"`
	Horizon int64 `json:"horizon"`
}

// HistoryPage is the answer of GET /v1/{table}/history/{key…} with limit=:
// at most limit entries, oldest first; Next is the after= of the next page
// (the sequence of the last entry), "" at the end; every page of one history
// is read at Sequence when the client passes it back as at=.
type HistoryPage struct {
	Sequence int64   `json:"sequence"`
	Entries  []Entry `json:"entries"`
	Next     string  `json:"next"`
}
