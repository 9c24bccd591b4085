package client

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// Watch yields every committed entry with Sequence > after whose key is in
// rg (only rg.Prefix is applied by the server; From, To, After and Limit
// here), in sequence order, none skipped and none twice, as Dict.Watch
// does. Dropped connections and 503s are retried for ever with a pause
// growing to a few seconds, resuming after the last delivered sequence;
// any other error (ErrPruned when after is behind the horizon,
// ErrUnauthorized, …) is yielded once and ends the iteration. The end of
// ctx is yielded once as ctx.Err(), as on a Dict; rg.Limit entries end it
// without an error.
func (c *Client) Watch(ctx context.Context, after int64, rg sqldict.Range) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		if err := c.checkWatch(ctx, after, rg); err != nil {
			yield(sqldict.Entry{}, err)
			return
		}
		w := &watcher{last: after, left: rg.Limit, yield: yield}
		pause := 20 * time.Millisecond
		for ctx.Err() == nil {
			progressed, err := c.watchOnce(ctx, w, rg)
			if errors.Is(err, errStopped) {
				return
			}
			if ctx.Err() != nil {
				break
			}
			var ae *Error
			if err != nil && !errors.Is(err, ErrUnavailable) && !(errors.As(err, &ae) && ae.Status >= 500) {
				yield(sqldict.Entry{}, err)
				return
			}
			if progressed {
				pause = 20 * time.Millisecond
			}
			select {
			case <-ctx.Done():
			case <-time.After(pause):
			}
			pause = min(2*pause, 2*time.Second)
		}
		yield(sqldict.Entry{}, ctx.Err())
	}
}

// checkWatch refuses what Dict.Watch refuses before it starts: a negative
// after or Limit, and bounds that are no keys. The server checks the
// prefix; From, To and After, which it does not take, are checked by a
// listing of one key over the same range.
func (c *Client) checkWatch(ctx context.Context, after int64, rg sqldict.Range) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if after < 0 {
		return fmt.Errorf("%w: negative sequence %d", sqldict.ErrInvalidArgument, after)
	}
	if rg.Limit < 0 {
		return fmt.Errorf("%w: negative limit %d", sqldict.ErrInvalidArgument, rg.Limit)
	}
	if rg.From == "" && rg.To == "" && rg.After == "" {
		return nil
	}
	rg.Limit = 1
	_, err := c.KeysIn(ctx, rg)
	return err
}

// watcher is the state of one Watch across reconnections.
type watcher struct {
	last  int64 // the newest sequence delivered or filtered out
	left  int   // entries until the Limit; unused when the Limit is 0
	yield func(sqldict.Entry, error) bool
}

// deliver yields e if it is in rg; errStopped when the consumer stopped or
// the Limit is reached.
func (w *watcher) deliver(e sqldict.Entry, rg sqldict.Range) error {
	w.last = e.Sequence
	if !inRange(e.Key, rg) {
		return nil
	}
	if !w.yield(e, nil) {
		return errStopped
	}
	if rg.Limit > 0 {
		if w.left--; w.left == 0 {
			return errStopped
		}
	}
	return nil
}

// errStopped reports that the consumer stopped the iteration.
var errStopped = errors.New("stopped")

// watchOnce follows one event stream from w.last, advancing it with every
// entry delivered. It returns errUnavailable-wrapped errors for a dropped
// stream (to reconnect) and others to give up.
func (c *Client) watchOnce(ctx context.Context, w *watcher, rg sqldict.Range) (bool, error) {
	q := url.Values{"after": {strconv.FormatInt(w.last, 10)}}
	if rg.Prefix != "" {
		q.Set("prefix", rg.Prefix)
	}
	hdr := http.Header{api.HeaderLastEventID: {strconv.FormatInt(w.last, 10)}, "Accept": {api.ContentTypeEventStream}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := c.send(ctx, request{method: http.MethodGet, route: api.RouteWatch, query: q, header: hdr})
	if err != nil {
		return false, fmt.Errorf("%w: watch: %v", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, responseError(resp)
	}
	progressed := false
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	var event, data, id string
	for sc.Scan() {
		line := sc.Text()
		if line != "" {
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				event = value
			case "data":
				data += value
			case "id":
				id = value
			}
			continue
		}
		// A blank line dispatches the event.
		ev, d, evID := event, data, id
		event, data, id = "", "", ""
		switch ev {
		case "":
			continue // a heartbeat or a retry hint
		case "error":
			var b api.ErrorBody
			if err := json.Unmarshal([]byte(d), &b); err != nil {
				return progressed, fmt.Errorf("%w: watch: malformed error event", ErrUnavailable)
			}
			return progressed, detailError(http.StatusOK, b.Error)
		case "put", "delete":
		default:
			continue // an event kind of a newer server
		}
		var je api.Entry
		if err := json.Unmarshal([]byte(d), &je); err != nil {
			return progressed, fmt.Errorf("%w: watch: malformed event %s: %v", ErrUnavailable, evID, err)
		}
		e, err := je.Decode()
		if err != nil {
			return progressed, err
		}
		if e.Sequence <= w.last {
			continue // never twice, whatever a server resends
		}
		progressed = true
		if err := w.deliver(e, rg); err != nil {
			return progressed, err
		}
	}
	if err := sc.Err(); err != nil {
		return progressed, fmt.Errorf("%w: watch: %v", ErrUnavailable, err)
	}
	return progressed, fmt.Errorf("%w: watch: the server closed the stream", ErrUnavailable)
}

// inRange applies the bounds of rg the server does not.
func inRange(key string, rg sqldict.Range) bool {
	return strings.HasPrefix(key, rg.Prefix) && key >= rg.From && (rg.To == "" || key < rg.To) && key > rg.After
}
