package server

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"strconv"
	"time"

	"github.com/sqldict/sqldict/sqldict"

	"github.com/sqldict/sqldict/api"
)

// history answers a key's entries, oldest first, up to a point, streamed
// one entry at a time so that a long history of large values is never held
// whole: without limit= as the JSON array docs/http.md names, with limit= as a
// HistoryPage. after=SEQ starts after that sequence.
func (s *Server) history(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	ctx := r.Context()
	q := r.URL.Query()
	if q.Has(api.ParamVersion) {
		return s.version(w, r, d)
	}
	after, _, err := intParam(q, "after")
	if err != nil {
		return err
	}
	_, paged, err := intParam(q, "limit")
	if err != nil {
		return err
	}
	limit := 0
	if paged {
		if limit, err = limitParam(q); err != nil {
			return err
		}
	}
	snap, err := point(ctx, r, d)
	if err != nil {
		return err
	}
	setSequence(w, snap.Sequence())
	key := r.PathValue("key")
	if !paged {
		return s.streamArray(w, snap.HistoryIn(ctx, key, after, 0), nil)
	}
	// One entry more than the page tells whether there is a next page.
	var last int64
	n := 0
	page := func(yield func(sqldict.Entry, error) bool) {
		for e, err := range snap.HistoryIn(ctx, key, after, limit+1) {
			if err == nil && n == limit {
				return
			}
			if !yield(e, err) {
				return
			}
			n, last = n+1, e.Sequence
		}
		last = 0 // the history ended within the page
	}
	head := `{"sequence":` + strconv.FormatInt(snap.Sequence(), 10) + `,"entries":`
	return s.streamArray(w, page, &wrap{head: head, tail: func() string {
		next := ""
		if last > 0 {
			next = strconv.FormatInt(last, 10)
		}
		return `,"next":` + strconv.Quote(next) + "}\n"
	}})
}

// wrap puts a streamed array inside an object: head before it, tail after.
type wrap struct {
	head string
	tail func() string
}

// streamArray writes entries as a JSON array, an entry at a time, flushing
// and extending the write deadline as it goes. An error before the first
// entry is answered as an error response; after it, the connection is
// aborted, so the client reads a truncated body, never a complete-looking
// array.
func (s *Server) streamArray(w http.ResponseWriter, seq iter.Seq2[sqldict.Entry, error], wr *wrap) error {
	rc := http.NewResponseController(w)
	n := 0
	for e, err := range seq {
		if err != nil {
			if n == 0 {
				return err
			}
			s.log.Warn("history: aborting a response mid-way", "err", err)
			panic(http.ErrAbortHandler)
		}
		if n == 0 {
			startArray(w, wr)
		} else if _, err := w.Write([]byte{','}); err != nil {
			return nil // the client went away
		}
		if err := encodeEntry(w, e); err != nil {
			return nil // the client went away
		}
		n++
		_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		_ = rc.Flush()
	}
	if n == 0 {
		startArray(w, wr)
	}
	end := "]\n"
	if wr != nil {
		end = "]" + wr.tail()
	}
	_, _ = w.Write([]byte(end))
	return nil
}

// startArray writes the status, the head and the array's opening bracket.
func startArray(w http.ResponseWriter, wr *wrap) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if wr != nil {
		_, _ = w.Write([]byte(wr.head))
	}
	_, _ = w.Write([]byte{'['})
}

// encodeEntry writes e as the JSON of api.EntryJSON(e, true) followed by a
// newline, streaming the value's base64 straight to w: an entry of
// megabytes is never held a second and third time as a string and as JSON.
func encodeEntry(w io.Writer, e sqldict.Entry) error {
	meta, err := json.Marshal(api.EntryJSON(e, false))
	if err != nil {
		return err
	}
	if e.Deleted {
		_, err = w.Write(append(meta, '\n'))
		return err
	}
	if _, err := w.Write(meta[:len(meta)-1]); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `,"value":"`); err != nil {
		return err
	}
	b64 := base64.NewEncoder(base64.StdEncoding, w)
	if _, err := b64.Write(e.Value); err != nil {
		return err
	}
	if err := b64.Close(); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\"}\n")
	return err
}
