package server

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/internal/textdiff"
	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
)

// Paging of the key list.
const (
	uiPageSize    = 50
	uiMaxPageSize = 1000
	// uiVersions and uiMaxVersions are the default and largest page of a
	// key's versions: each may be a value of MaxValueSize.
	uiVersions    = 20
	uiMaxVersions = 200
	hexPreview    = 32 // bytes of a binary value shown in hex
)

// uiPoint is the point a page shows and how the reader chose it.
type uiPoint struct {
	Sequence int64
	Time     string // the point's commit time, "" before the first commit
	Head     bool   // neither at nor as_of given: the newest commit
	AsOf     string // the picker's value, in its own format
	At       string // at= as given
	AsOfArg  string // as_of= for links, RFC 3339
}

// pagePoint resolves the page's at= or as_of= (the API's, or the picker's
// format read as UTC) to a snapshot.
func pagePoint(ctx context.Context, r *http.Request, d *sqldict.Dict) (*sqldict.Snapshot, uiPoint, error) {
	q := r.URL.Query()
	p := uiPoint{At: q.Get("at")}
	if err := pickerTime(q, "as_of", &p.AsOf); err != nil {
		return nil, p, err
	}
	p.AsOfArg = q.Get("as_of")
	p.Head = p.At == "" && p.AsOfArg == ""
	snap, err := pointIn(ctx, q, d)
	if err != nil {
		return nil, p, err
	}
	p.Sequence, p.Time = snap.Sequence(), api.FormatTime(snap.Time())
	return snap, p, nil
}

// pickerTime rewrites q's time parameter name to RFC 3339 and stores the
// picker's value of it in picker.
func pickerTime(q url.Values, name string, picker *string) error {
	s := q.Get(name)
	if s == "" {
		q.Del(name)
		return nil
	}
	t, err := parsePickerTime(s)
	if err != nil {
		return err
	}
	q.Set(name, t.Format(time.RFC3339Nano))
	*picker = t.Format("2006-01-02T15:04:05.000")
	return nil
}

// uiValue is a value as the page shows it: text, or size and hex preview.
type uiValue struct {
	Deleted bool
	Binary  bool
	Text    string
	Size    int
	Hex     string
	More    bool // the hex preview is cut
}

func showValue(e sqldict.Entry) uiValue {
	v := uiValue{Deleted: e.Deleted, Size: len(e.Value)}
	switch {
	case e.Deleted:
	case textdiff.IsText(e.Value):
		v.Text = string(e.Value)
	default:
		v.Binary = true
		n := min(len(e.Value), hexPreview)
		v.Hex = spacedHex(e.Value[:n])
		v.More = n < len(e.Value)
	}
	return v
}

func spacedHex(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(' ')
		}
		sb.WriteString(hex.EncodeToString([]byte{c}))
	}
	return sb.String()
}

// diffLine is one line of a unified diff with its class for the style
// sheet: add, del, hunk, head or "" for context.
type diffLine struct {
	Class, Text string
}

// diffLines renders the unified diff from a to b (a nil a: from nothing).
func diffLines(key string, a *sqldict.Entry, b sqldict.Entry) []diffLine {
	la, va := "/dev/null", []byte(nil)
	if a != nil && !a.Deleted {
		la, va = fmt.Sprintf("%s@%d", key, a.Version), a.Value
	}
	lb := "/dev/null"
	if !b.Deleted {
		lb = fmt.Sprintf("%s@%d", key, b.Version)
	}
	text := textdiff.Unified(la, lb, va, b.Value)
	var out []diffLine
	for line := range strings.Lines(text) {
		line = strings.TrimSuffix(line, "\n")
		class := ""
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"):
			class = "head"
		case strings.HasPrefix(line, "+"):
			class = "add"
		case strings.HasPrefix(line, "-"):
			class = "del"
		case strings.HasPrefix(line, "@@"):
			class = "hunk"
		}
		out = append(out, diffLine{class, line})
	}
	return out
}

// uiRow is an entry in the key list and the history.
type uiRow struct {
	Key      string
	Version  int64
	Sequence int64
	Time     string
	Author   string
	Comment  string
	Value    uiValue
	Diff     []diffLine
}

func row(e sqldict.Entry) uiRow {
	return uiRow{
		Key: e.Key, Version: e.Version, Sequence: e.Sequence, Time: api.FormatTime(e.Created),
		Author: e.Author, Comment: e.Comment, Value: showValue(e),
	}
}

// uiKeys is the key list: a page of live keys under a prefix at a point.
func (s *Server) uiKeys(r *http.Request, d *sqldict.Dict) (string, any, error) {
	ctx := r.Context()
	snap, p, err := pagePoint(ctx, r, d)
	if err != nil {
		return "", nil, err
	}
	q := r.URL.Query()
	limit, ok, err := intParam(q, "limit")
	switch {
	case err != nil:
		return "", nil, err
	case !ok || limit == 0:
		limit = uiPageSize
	case limit > uiMaxPageSize:
		return "", nil, badArg(fmt.Sprintf("limit=%d: at most %d", limit, uiMaxPageSize))
	}
	prefix, after := q.Get("prefix"), q.Get("after")
	var rows []uiRow
	// One entry more than the page tells whether there is a next page.
	for e, err := range snap.AllIn(ctx, sqldict.Range{Prefix: prefix, After: after, Limit: int(limit) + 1}) {
		if err != nil {
			return "", nil, err
		}
		rows = append(rows, row(e))
	}
	next := ""
	if len(rows) > int(limit) {
		rows = rows[:limit]
		next = rows[limit-1].Key
	}
	watch := ""
	if p.Head {
		watch = uiLink("/ui/"+d.Table()+"/watch", "after", strconv.FormatInt(p.Sequence, 10), "prefix", prefix)
	}
	return "keys.html", struct {
		Title, Table, Prefix, After, Next, Watch, Limit string
		Point                                           uiPoint
		Rows                                            []uiRow
		Keep                                            [][2]string
	}{"Keys of " + d.Table(), d.Table(), prefix, after, next, watch, q.Get("limit"), p, rows, [][2]string{{"prefix", prefix}}}, nil
}

// uiKey is a key's page: its value at the point and a page of its history
// up to it, newest first, each version with the diff from the one before:
// the newest limit= versions (uiVersions by default) with a sequence below
// before= (the point by default).
func (s *Server) uiKey(r *http.Request, d *sqldict.Dict) (string, any, error) {
	ctx := r.Context()
	q := r.URL.Query()
	key := q.Get("key")
	if key == "" {
		return "", nil, badArg("give the key: ?key=KEY")
	}
	limit, ok, err := intParam(q, "limit")
	switch {
	case err != nil:
		return "", nil, err
	case !ok || limit == 0:
		limit = uiVersions
	case limit > uiMaxVersions:
		return "", nil, badArg(fmt.Sprintf("limit=%d: at most %d", limit, uiMaxVersions))
	}
	before, hasBefore, err := intParam(q, "before")
	if err != nil {
		return "", nil, err
	}
	snap, p, err := pagePoint(ctx, r, d)
	if err != nil {
		return "", nil, err
	}
	current, err := snap.Entry(ctx, key)
	if err != nil {
		return "", nil, err
	}
	if !hasBefore {
		before = current.Sequence + 1
	}
	rows, older, err := versions(ctx, snap, key, before, int(limit))
	if err != nil {
		return "", nil, err
	}
	olderLink := ""
	if older > 0 {
		olderLink = uiLink("/ui/"+d.Table()+"/key", "key", key, "before", strconv.FormatInt(older, 10), "limit", q.Get("limit"), "at", p.At, "as_of", p.AsOfArg)
	}
	return "key.html", struct {
		Title, Table, Key, Older string
		Point                    uiPoint
		Current                  uiRow
		Rows                     []uiRow
		Keep                     [][2]string
	}{"Key " + key, d.Table(), key, olderLink, p, row(current), rows, [][2]string{{"key", key}}}, nil
}

// versions reads the newest limit rows of key's history with a sequence
// below before, newest first, each with its diff from the row before it.
// It holds at most limit+1 entries however long the history. older is the
// before= of the page of older versions, 0 when there are none.
func versions(ctx context.Context, snap *sqldict.Snapshot, key string, before int64, limit int) (rows []uiRow, older int64, _ error) {
	window := make([]sqldict.Entry, 0, limit+1)
	for e, err := range snap.HistoryIn(ctx, key, 0, 0) {
		if err != nil {
			return nil, 0, err
		}
		if e.Sequence >= before {
			break
		}
		if len(window) == limit+1 {
			copy(window, window[1:])
			window = window[:limit]
		}
		window = append(window, e)
	}
	first := 0
	if len(window) == limit+1 {
		first, older = 1, window[1].Sequence
	}
	for i := len(window) - 1; i >= first; i-- {
		var prev *sqldict.Entry
		if i > 0 {
			prev = &window[i-1]
		}
		rw := row(window[i])
		rw.Diff = diffLines(key, prev, window[i])
		rows = append(rows, rw)
	}
	return rows, older, nil
}

// uiChange is one key of the whole-dict diff.
type uiChange struct {
	Key, Kind string
	Diff      []diffLine
}

// uiDiff is the diff of the whole dict between two points: from= or
// from_time=, to= or to_time= (the head by default).
func (s *Server) uiDiff(r *http.Request, d *sqldict.Dict) (string, any, error) {
	ctx := r.Context()
	q := r.URL.Query()
	var fromPick, toPick string
	if err := pickerTime(q, "from_time", &fromPick); err != nil {
		return "", nil, err
	}
	if err := pickerTime(q, "to_time", &toPick); err != nil {
		return "", nil, err
	}
	from, _, err := pointSeq(ctx, q, "from", "from_time", d)
	if err != nil {
		return "", nil, err
	}
	to, ok, err := pointSeq(ctx, q, "to", "to_time", d)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		st, err := d.Stat(ctx)
		if err != nil {
			return "", nil, err
		}
		to = st.Sequence
	}
	if from > to {
		return "", nil, badArg(fmt.Sprintf("from sequence %d is after to sequence %d", from, to))
	}
	a, err := snapshot.At(ctx, d, from)
	if err != nil {
		return "", nil, err
	}
	b, err := snapshot.At(ctx, d, to)
	if err != nil {
		return "", nil, err
	}
	changes, err := snapshot.Diff(ctx, a, b)
	if err != nil {
		return "", nil, err
	}
	out := make([]uiChange, len(changes))
	for i, c := range changes {
		after := sqldict.Entry{Key: c.Key, Deleted: true}
		if c.After != nil {
			after = *c.After
		}
		out[i] = uiChange{Key: c.Key, Kind: c.Kind.String(), Diff: diffLines(c.Key, c.Before, after)}
	}
	return "diff.html", struct {
		Title, Table     string
		From, To         int64
		FromPick, ToPick string
		Changes          []uiChange
	}{"Diff of " + d.Table(), d.Table(), from, to, fromPick, toPick, out}, nil
}
