package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// getKey answers GET and HEAD of a key.
func (s *Server) getKey(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	ctx := r.Context()
	key := r.PathValue("key")
	var e sqldict.Entry
	var seq int64
	q := r.URL.Query()
	if q.Has("at") || q.Has("as_of") {
		snap, err := point(ctx, r, d)
		if err != nil {
			return err
		}
		seq = snap.Sequence()
		setSequence(w, seq)
		if e, err = snap.Entry(ctx, key); err != nil {
			return err
		}
	} else {
		// At the head: the key's newest row e read after the head st
		// is also its row at max(st, e.Sequence), since no commit
		// between them touched the key. One meta read instead of a
		// snapshot's two.
		st, err := d.Stat(ctx)
		if err != nil {
			return err
		}
		if e, err = d.Entry(ctx, key); err != nil {
			setSequence(w, st.Sequence)
			return err
		}
		seq = max(st.Sequence, e.Sequence)
		setSequence(w, seq)
	}
	if e.Deleted {
		return fmt.Errorf("%w: %q was deleted at sequence %d", sqldict.ErrNotFound, key, e.Sequence)
	}
	h := w.Header()
	etag := api.ETag(e.Version)
	h.Set("ETag", etag)
	h.Set(api.HeaderVersion, strconv.FormatInt(e.Version, 10))
	h.Set(api.HeaderEntrySequence, strconv.FormatInt(e.Sequence, 10))
	h.Set("Last-Modified", e.Created.UTC().Format(http.TimeFormat))
	if matchETag(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	h.Set("Content-Type", api.ContentTypeValue)
	h.Set("Content-Length", strconv.Itoa(len(e.Value)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(e.Value)
	}
	return nil
}

// matchETag reports whether an If-None-Match header names etag (or *).
func matchETag(header, etag string) bool {
	for t := range strings.SplitSeq(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// expectation reads If-Match and If-None-Match: * of a write.
func expectation(r *http.Request) (sqldict.Expectation, error) {
	im, inm := r.Header.Get("If-Match"), r.Header.Get("If-None-Match")
	switch {
	case im != "" && inm != "":
		return sqldict.Expectation{}, badArg("give If-Match or If-None-Match, not both")
	case inm == "*":
		return sqldict.Expect(0), nil
	case inm != "":
		return sqldict.Expectation{}, badArg(`If-None-Match on a write: only "*" is supported`)
	case im == "":
		return sqldict.Expectation{}, nil
	}
	v, err := strconv.ParseInt(strings.Trim(im, `"`), 10, 64)
	if err != nil || v < 1 || !strings.HasPrefix(im, `"`) || !strings.HasSuffix(im, `"`) || len(im) < 3 {
		return sqldict.Expectation{}, badArg(fmt.Sprintf(`If-Match %q: want "VERSION", a quoted version number`, im))
	}
	return sqldict.Expect(v), nil
}

// writeMeta reads the percent-encoded author and comment headers.
func writeMeta(r *http.Request, w *sqldict.Write) error {
	var err error
	if w.Author, err = url.PathUnescape(r.Header.Get(api.HeaderAuthor)); err != nil {
		return badArg(api.HeaderAuthor + ": invalid percent-encoding")
	}
	if w.Comment, err = url.PathUnescape(r.Header.Get(api.HeaderComment)); err != nil {
		return badArg(api.HeaderComment + ": invalid percent-encoding")
	}
	return nil
}

// putKey writes the body as the key's new value.
func (s *Server) putKey(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	wr := sqldict.Write{Key: r.PathValue("key")}
	var err error
	if wr.IfVersion, err = expectation(r); err != nil {
		return err
	}
	if err := writeMeta(r, &wr); err != nil {
		return err
	}
	limit := int64(d.Options().MaxValueSize)
	if r.ContentLength > limit {
		return fmt.Errorf("%w: %d bytes, the limit is %d", sqldict.ErrValueTooLarge, r.ContentLength, limit)
	}
	if wr.Value, err = io.ReadAll(http.MaxBytesReader(w, r.Body, limit)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("%w: the limit is %d bytes", sqldict.ErrValueTooLarge, limit)
		}
		return badArg(fmt.Sprintf("read body: %v", err))
	}
	e, created, err := d.Put(r.Context(), wr)
	if err != nil {
		return err
	}
	s.metrics.observeCommit(d.Table(), 1)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	w.Header().Set("ETag", api.ETag(e.Version))
	return writeJSON(w, status, api.EntryJSON(e, false))
}

// deleteKey appends a tombstone.
func (s *Server) deleteKey(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	wr := sqldict.Write{Key: r.PathValue("key"), Delete: true}
	var err error
	if wr.IfVersion, err = expectation(r); err != nil {
		return err
	}
	if err := writeMeta(r, &wr); err != nil {
		return err
	}
	e, err := s.commitOne(r, d, wr)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", api.ETag(e.Version))
	return writeJSON(w, http.StatusOK, api.EntryJSON(e, false))
}

func (s *Server) commitOne(r *http.Request, d *sqldict.Dict, wr sqldict.Write) (sqldict.Entry, error) {
	es, err := d.Commit(r.Context(), wr)
	if err != nil {
		return sqldict.Entry{}, err
	}
	s.metrics.observeCommit(d.Table(), 1)
	return es[0], nil
}
