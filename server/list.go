package server

import (
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// listing reads what listings share: the limit and the point, whose
// sequence it answers in the header.
func listing(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) (*sqldict.Snapshot, url.Values, int, error) {
	q := r.URL.Query()
	limit, err := limitParam(q)
	if err != nil {
		return nil, nil, 0, err
	}
	snap, err := point(r.Context(), r, d)
	if err != nil {
		return nil, nil, 0, err
	}
	setSequence(w, snap.Sequence())
	return snap, q, limit, nil
}

// listKeys answers one page of keys at a point.
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	ctx := r.Context()
	snap, q, limit, err := listing(w, r, d)
	if err != nil {
		return err
	}
	// One key more than the page tells whether there is a next page.
	keys, err := snap.KeysIn(ctx, rangeParams(q, limit+1))
	if err != nil {
		return err
	}
	out := api.Keys{Keys: keys, Sequence: snap.Sequence()}
	if len(keys) > limit {
		out.Keys = keys[:limit]
		out.Next = keys[limit-1]
	}
	if out.Keys == nil {
		out.Keys = []string{}
	}
	return writeJSON(w, http.StatusOK, out)
}

// rangeParams reads a listing's bounds: prefix, after, and (an addition to
// docs/http.md) from and to, sqldict.Range's inclusive lower and exclusive upper
// bound.
func rangeParams(q url.Values, limit int) sqldict.Range {
	return sqldict.Range{Prefix: q.Get("prefix"), From: q.Get("from"), To: q.Get("to"), After: q.Get("after"), Limit: limit}
}

// listEntries streams the live entries at a point as JSON Lines.
func (s *Server) listEntries(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	snap, q, limit, err := listing(w, r, d)
	if err != nil {
		return err
	}
	return s.streamLines(w, r, snap.AllIn(r.Context(), rangeParams(q, limit)))
}

// journalLog streams the journal's rows after < sequence <= until.
func (s *Server) journalLog(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	ctx := r.Context()
	q := r.URL.Query()
	after, _, err := intParam(q, "after")
	if err != nil {
		return err
	}
	until, hasUntil, err := intParam(q, "until")
	if err != nil {
		return err
	}
	limit, err := limitParam(q)
	if err != nil {
		return err
	}
	st, err := d.Stat(ctx)
	if err != nil {
		return err
	}
	switch {
	case !hasUntil:
		until = st.Sequence
	case until > st.Sequence:
		return fmt.Errorf("%w: until=%d, newest is %d", sqldict.ErrFuture, until, st.Sequence)
	}
	setSequence(w, until)
	return s.streamLines(w, r, take(d.Log(ctx, after, until), limit))
}

// take stops seq after n entries.
func take(seq iter.Seq2[sqldict.Entry, error], n int) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		i := 0
		for e, err := range seq {
			if i == n || !yield(e, err) {
				return
			}
			i++
		}
	}
}

// streamLines writes entries as JSON Lines, flushing as it goes and
// extending the write deadline with each flush, so a long listing to a
// reading client is not cut off while a stalled one still is. An error
// before the first line is answered as an error response; after it, as a
// last line {"error": …}, which no entry line has.
func (s *Server) streamLines(w http.ResponseWriter, r *http.Request, seq iter.Seq2[sqldict.Entry, error]) error {
	rc := http.NewResponseController(w)
	enc := json.NewEncoder(w)
	started := false
	n := 0
	for e, err := range seq {
		if err != nil {
			if !started {
				return err
			}
			_, code := classify(err)
			_ = enc.Encode(api.ErrorBody{Error: api.ErrorDetail{Code: code, Message: err.Error()}})
			return nil
		}
		if !started {
			w.Header().Set("Content-Type", api.ContentTypeJSONLines)
			w.WriteHeader(http.StatusOK)
			started = true
		}
		if err := enc.Encode(api.EntryJSON(e, true)); err != nil {
			return nil // the client went away
		}
		if n++; n%256 == 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
			_ = rc.Flush()
		}
	}
	if !started {
		w.Header().Set("Content-Type", api.ContentTypeJSONLines)
		w.WriteHeader(http.StatusOK)
	}
	return nil
}
