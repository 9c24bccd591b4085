package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// point returns the snapshot the request's at= or as_of= names, or the
// head's when neither is given.
func point(ctx context.Context, r *http.Request, d *sqldict.Dict) (*sqldict.Snapshot, error) {
	return pointIn(ctx, r.URL.Query(), d)
}

// pointIn is point over query parameters q.
func pointIn(ctx context.Context, q url.Values, d *sqldict.Dict) (*sqldict.Snapshot, error) {
	seq, ok, err := pointSeq(ctx, q, "at", "as_of", d)
	if err != nil {
		return nil, err
	}
	if !ok {
		st, err := d.Stat(ctx)
		if err != nil {
			return nil, err
		}
		seq = st.Sequence
	}
	return d.Snapshot(ctx, seq)
}

// pointSeq resolves a sequence parameter or a time parameter to a
// sequence; ok is false when neither is given.
func pointSeq(ctx context.Context, q url.Values, seqName, timeName string, d *sqldict.Dict) (seq int64, ok bool, err error) {
	seq, hasSeq, err := intParam(q, seqName)
	if err != nil {
		return 0, false, err
	}
	ts := q.Get(timeName)
	switch {
	case hasSeq && ts != "":
		return 0, false, badArg(fmt.Sprintf("give %s or %s, not both", seqName, timeName))
	case hasSeq:
		return seq, true, nil
	case ts == "":
		return 0, false, nil
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return 0, false, badArg(fmt.Sprintf("%s=%q: want an RFC 3339 time", timeName, ts))
	}
	seq, err = d.SequenceAt(ctx, t)
	return seq, err == nil, err
}

// intParam parses a non-negative integer query parameter.
func intParam(q url.Values, name string) (int64, bool, error) {
	s := q.Get(name)
	if s == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false, badArg(fmt.Sprintf("%s=%q: want a non-negative integer", name, s))
	}
	return n, true, nil
}

// limitParam parses limit= with its default and bound.
func limitParam(q url.Values) (int, error) {
	n, ok, err := intParam(q, "limit")
	switch {
	case err != nil:
		return 0, err
	case !ok || n == 0:
		return DefaultListLimit, nil
	case n > MaxListLimit:
		return 0, badArg(fmt.Sprintf("limit=%d: at most %d", n, MaxListLimit))
	}
	return int(n), nil
}

func setSequence(w http.ResponseWriter, seq int64) {
	w.Header().Set(api.HeaderSequence, strconv.FormatInt(seq, 10))
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", api.ContentTypeJSON)
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a JSON body of at most limit bytes into v; unknown
// fields and fields given twice in one object are refused, so that neither
// a misspelt nor a repeated "if_version" can turn a conditional write into
// an unconditional one.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	if err := requireJSON(r); err != nil {
		return err
	}
	if r.ContentLength > limit {
		return &http.MaxBytesError{Limit: limit}
	}
	buf := bytes.NewBuffer(make([]byte, 0, max(r.ContentLength, 0)+1))
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badArg(fmt.Sprintf("reading the body: %v", err))
	}
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badArg(fmt.Sprintf("malformed JSON body: %v", err))
	}
	if dec.More() {
		return badArg("malformed JSON body: more than one value")
	}
	if name, dup := duplicateKey(buf.Bytes()); dup {
		return badArg(fmt.Sprintf("malformed JSON body: field %q given twice in one object", name))
	}
	return nil
}
