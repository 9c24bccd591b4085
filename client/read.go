package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// pageSize is how many keys or entries one listing request asks for.
const pageSize = 1000

// reader reads at a fixed point (pinned) or at the head.
type reader struct {
	c      *Client
	at     int64
	pinned bool
}

// query returns the point parameters of a read.
func (r reader) query() url.Values {
	q := url.Values{}
	if r.pinned {
		q.Set("at", strconv.FormatInt(r.at, 10))
	}
	return q
}

func (r reader) get(ctx context.Context, method, key string) (*http.Response, error) {
	return r.c.do(ctx, request{method: method, route: api.KeyRoute(api.RouteKeys, key), query: r.query()})
}

// Get returns the value of key, or an error matching sqldict.ErrNotFound.
func (r reader) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := r.get(ctx, http.MethodGet, key)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	v, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: read value of %q: %v", ErrUnavailable, key, err)
	}
	return v, nil
}

// Has reports whether key has a live value.
func (r reader) Has(ctx context.Context, key string) (bool, error) {
	resp, err := r.get(ctx, http.MethodHead, key)
	if errors.Is(err, sqldict.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return true, nil
}

// Entry returns the newest row of key, a tombstone included; ErrNotFound
// when the key has none.
func (r reader) Entry(ctx context.Context, key string) (sqldict.Entry, error) {
	hist, err := r.History(ctx, key)
	if err != nil {
		return sqldict.Entry{}, err
	}
	return hist[len(hist)-1], nil
}

// History returns the rows of key still in the journal, oldest first;
// ErrNotFound when there is none. It reads the history a page at a time,
// every page at the point of the first.
func (r reader) History(ctx context.Context, key string) ([]sqldict.Entry, error) {
	var es []sqldict.Entry
	for e, err := range r.HistoryIn(ctx, key, 0, 0) {
		if err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return es, nil
}

// historyPage is how many entries one request of HistoryIn asks for.
const historyPage = 100

// HistoryIn streams the rows of key with a sequence above after, oldest
// first, at most limit of them (0: no limit), a page of the history route
// at a time, as sqldict.Dict.HistoryIn does.
func (r reader) HistoryIn(ctx context.Context, key string, after int64, limit int) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		if after < 0 || limit < 0 {
			yield(sqldict.Entry{}, fmt.Errorf("%w: history of %q after %d, limit %d: want both 0 or more", sqldict.ErrInvalidArgument, key, after, limit))
			return
		}
		q, n := r.query(), 0
		for {
			size := historyPage
			if limit > 0 {
				size = min(size, limit-n)
			}
			q.Set("after", strconv.FormatInt(after, 10))
			q.Set("limit", strconv.Itoa(size))
			var page api.HistoryPage
			seq, err := r.c.getJSON(ctx, api.KeyRoute(api.RouteHistory, key), q, &page)
			if err != nil {
				yield(sqldict.Entry{}, err)
				return
			}
			q.Set("at", strconv.FormatInt(seq, 10))
			for _, je := range page.Entries {
				e, err := je.Decode()
				if !yield(e, err) || err != nil {
					return
				}
				n++
			}
			if page.Next == "" || (limit > 0 && n >= limit) {
				return
			}
			if after, err = strconv.ParseInt(page.Next, 10, 64); err != nil {
				yield(sqldict.Entry{}, fmt.Errorf("%w: history: next %q is not a sequence", ErrUnavailable, page.Next))
				return
			}
		}
	}
}

// rangeQuery adds a Range's bounds to q.
func rangeQuery(q url.Values, rg sqldict.Range) url.Values {
	for name, v := range map[string]string{"prefix": rg.Prefix, "from": rg.From, "to": rg.To, "after": rg.After} {
		if v != "" {
			q.Set(name, v)
		}
	}
	return q
}

// KeysIn returns the live keys in rg, in bytewise order. A listing longer
// than one page is read page by page at the point of the first page.
func (r reader) KeysIn(ctx context.Context, rg sqldict.Range) ([]string, error) {
	if rg.Limit < 0 {
		return nil, fmt.Errorf("%w: negative limit %d", sqldict.ErrInvalidArgument, rg.Limit)
	}
	out := []string{}
	for {
		n := pageSize
		if rg.Limit > 0 {
			n = min(n, rg.Limit-len(out))
		}
		q := rangeQuery(r.query(), rg)
		q.Set("limit", strconv.Itoa(n))
		var page api.Keys
		if _, err := r.c.getJSON(ctx, api.RouteKeys, q, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Keys...)
		if page.Next == "" || (rg.Limit > 0 && len(out) >= rg.Limit) {
			return out, nil
		}
		r.at, r.pinned = page.Sequence, true
		rg.After = page.Next
	}
}

// Keys returns every live key in bytewise order.
func (r reader) Keys(ctx context.Context) ([]string, error) { return r.KeysIn(ctx, sqldict.Range{}) }

// LenIn returns the number of live keys in rg; rg.Limit is ignored.
func (r reader) LenIn(ctx context.Context, rg sqldict.Range) (int, error) {
	rg.Limit = 0
	keys, err := r.KeysIn(ctx, rg)
	return len(keys), err
}

// Len returns the number of live keys.
func (r reader) Len(ctx context.Context) (int, error) {
	if !r.pinned {
		var st api.Stat
		_, err := r.c.getJSON(ctx, api.RouteStat, nil, &st)
		return st.Keys, err
	}
	return r.LenIn(ctx, sqldict.Range{})
}

// AllIn streams the live entries in rg in key order, page by page at the
// point of the first page. An error ends the iteration.
func (r reader) AllIn(ctx context.Context, rg sqldict.Range) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		if rg.Limit < 0 {
			yield(sqldict.Entry{}, fmt.Errorf("%w: negative limit %d", sqldict.ErrInvalidArgument, rg.Limit))
			return
		}
		seen := 0
		for {
			n := pageSize
			if rg.Limit > 0 {
				n = min(n, rg.Limit-seen)
			}
			q := rangeQuery(r.query(), rg)
			q.Set("limit", strconv.Itoa(n))
			resp, err := r.c.do(ctx, request{method: http.MethodGet, route: api.RouteEntries, query: q})
			if err != nil {
				yield(sqldict.Entry{}, err)
				return
			}
			got, last, err := readLines(resp.Body, yield)
			resp.Body.Close()
			if err != nil {
				yield(sqldict.Entry{}, err)
				return
			}
			if got < 0 {
				return // the consumer stopped
			}
			seen += got
			if got < n || (rg.Limit > 0 && seen >= rg.Limit) {
				return
			}
			r.at, r.pinned = sequenceOf(resp), true
			rg.After = last
		}
	}
}

// All streams every live entry in key order.
func (r reader) All(ctx context.Context) iter.Seq2[sqldict.Entry, error] {
	return r.AllIn(ctx, sqldict.Range{})
}

// readLines yields the entries of a JSON Lines body; it returns how many
// it yielded (-1 when the consumer stopped) and the last key.
func readLines(body io.Reader, yield func(sqldict.Entry, error) bool) (int, string, error) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	n, last := 0, ""
	for sc.Scan() {
		var line struct {
			api.Entry
			Error *api.ErrorDetail `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return n, last, fmt.Errorf("%w: malformed line: %v", ErrUnavailable, err)
		}
		if line.Error != nil {
			return n, last, detailError(http.StatusOK, *line.Error)
		}
		e, err := line.Entry.Decode()
		if err != nil {
			return n, last, err
		}
		if !yield(e, nil) {
			return -1, last, nil
		}
		n++
		last = e.Key
	}
	if err := sc.Err(); err != nil {
		return n, last, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return n, last, nil
}

// Snapshot returns the view at sequence seq: ErrFuture after the newest
// commit, ErrPruned behind the prune horizon.
func (c *Client) Snapshot(ctx context.Context, seq int64) (*sqldict.Snapshot, error) {
	if seq < 0 {
		return nil, fmt.Errorf("%w: negative sequence %d", sqldict.ErrInvalidArgument, seq)
	}
	var st api.Stat
	q := url.Values{"at": {strconv.FormatInt(seq, 10)}}
	if _, err := c.getJSON(ctx, api.RouteStat, q, &st); err != nil {
		return nil, err
	}
	var created time.Time
	if st.Created != "" {
		created, _ = time.Parse(time.RFC3339Nano, st.Created)
	}
	return sqldict.NewSnapshot(c, reader{c: c, at: seq, pinned: true}, seq, created), nil
}

// Stat reads the journal's head and prune horizon.
func (c *Client) Stat(ctx context.Context) (sqldict.Stats, error) {
	var st api.Stat
	if _, err := c.getJSON(ctx, api.RouteStat, nil, &st); err != nil {
		return sqldict.Stats{}, err
	}
	out := sqldict.Stats{Sequence: st.Sequence, Horizon: st.Horizon}
	if st.Created != "" {
		t, err := time.Parse(time.RFC3339Nano, st.Created)
		if err != nil {
			return sqldict.Stats{}, fmt.Errorf("%w: stat: %v", ErrUnavailable, err)
		}
		out.Created = t
	}
	return out, nil
}

// Version returns the entry of key at version v: ErrNotFound when the key
// never reached v, ErrPruned when pruning removed it. One request of
// history/{key}?version=v, whatever the length of the history.
func (c *Client) Version(ctx context.Context, key string, v int64) (sqldict.Entry, error) {
	if v < 1 {
		return sqldict.Entry{}, fmt.Errorf("%w: version %d: versions start at 1", sqldict.ErrInvalidArgument, v)
	}
	q := url.Values{api.ParamVersion: {strconv.FormatInt(v, 10)}}
	var je api.Entry
	if _, err := c.getJSON(ctx, api.KeyRoute(api.RouteHistory, key), q, &je); err != nil {
		return sqldict.Entry{}, err
	}
	return je.Decode()
}

// SequenceAt resolves t to the newest commit with created <= t, as
// Dict.SequenceAt does (ErrFuture, ErrPruned).
func (c *Client) SequenceAt(ctx context.Context, t time.Time) (int64, error) {
	var st api.Stat
	q := url.Values{"as_of": {t.UTC().Format(time.RFC3339Nano)}}
	if _, err := c.getJSON(ctx, api.RouteStat, q, &st); err != nil {
		return 0, err
	}
	return st.Sequence, nil
}
