package server

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

type watchItem struct {
	e   sqldict.Entry
	err error
}

// watch streams committed entries as Server-Sent Events.
func (s *Server) watch(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) error {
	after, _, err := intParam(r.URL.Query(), "after")
	if err != nil {
		return err
	}
	if id := r.Header.Get(api.HeaderLastEventID); id != "" {
		if after, err = strconv.ParseInt(id, 10, 64); err != nil || after < 0 {
			return badArg(fmt.Sprintf("%s %q: want a sequence", api.HeaderLastEventID, id))
		}
	}
	rg := sqldict.Range{Prefix: r.URL.Query().Get("prefix")}
	st, err := d.Stat(r.Context())
	if err != nil {
		return err
	}
	if after < st.Horizon {
		return fmt.Errorf("%w: watch after %d, the prune horizon is %d", sqldict.ErrPruned, after, st.Horizon)
	}

	// The stream outlives the server's read and write timeouts.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", api.ContentTypeEventStream)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	setSequence(w, st.Sequence)
	w.WriteHeader(http.StatusOK)
	if err := rc.Flush(); err != nil {
		return nil
	}
	s.metrics.watchers.Inc()
	defer s.metrics.watchers.Dec()

	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	items := make(chan watchItem)
	go func() {
		defer close(items)
		for e, err := range d.Watch(ctx, after, rg) {
			select {
			case items <- watchItem{e, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	beat := time.NewTicker(s.cfg.Heartbeat)
	defer beat.Stop()
	for {
		var werr error
		select {
		case <-s.closing:
			return nil
		case <-ctx.Done():
			return nil
		case <-beat.C:
			_, werr = fmt.Fprint(w, ": heartbeat\n\n")
		case it, ok := <-items:
			if !ok {
				return nil
			}
			if it.err != nil {
				_, code := classify(it.err)
				data, _ := json.Marshal(api.ErrorBody{Error: api.ErrorDetail{Code: code, Message: it.err.Error()}})
				_, _ = fmt.Fprintf(w, "event: error\ndata: %s\n\n", data)
				_ = rc.Flush()
				return nil
			}
			werr = writeEvent(w, it.e)
		}
		if werr == nil {
			werr = rc.Flush()
		}
		if werr != nil {
			return nil // the client went away
		}
	}
}

// writeEvent writes one entry as an SSE event, its value streamed (see
// encodeEntry): the data line ends with the entry's newline.
func writeEvent(w http.ResponseWriter, e sqldict.Entry) error {
	kind := "put"
	if e.Deleted {
		kind = "delete"
	}
	if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: ", e.Sequence, kind); err != nil {
		return err
	}
	if err := encodeEntry(w, e); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
