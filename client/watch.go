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

	"github.com/sqldict/sqldict/server"
	"github.com/sqldict/sqldict/sqldict"
)

// Watch yields every committed entry with Sequence > after whose key is in
// rg (only rg.Prefix is applied by the server; From, To and After filter
// here), in sequence order, none skipped and none twice, until ctx ends.
// Dropped connections and 503s are retried for ever with a pause growing to
// a few seconds, resuming after the last delivered sequence; any other
// error (ErrPruned when after is behind the horizon, ErrUnauthorized, …)
// is yielded once and ends the iteration. The end of ctx ends it without
// an error.
func (c *Client) Watch(ctx context.Context, after int64, rg sqldict.Range) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		last := after
		pause := 20 * time.Millisecond
		for ctx.Err() == nil {
			progressed, err := c.watchOnce(ctx, &last, rg, yield)
			if errors.Is(err, errStopped) || ctx.Err() != nil {
				return
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
				return
			case <-time.After(pause):
			}
			pause = min(2*pause, 2*time.Second)
		}
	}
}

// errStopped reports that the consumer stopped the iteration.
var errStopped = errors.New("stopped")

// watchOnce follows one event stream from *last, advancing it with every
// entry delivered. It returns errUnavailable-wrapped errors for a dropped
// stream (to reconnect) and others to give up.
func (c *Client) watchOnce(ctx context.Context, last *int64, rg sqldict.Range, yield func(sqldict.Entry, error) bool) (bool, error) {
	q := url.Values{"after": {strconv.FormatInt(*last, 10)}}
	if rg.Prefix != "" {
		q.Set("prefix", rg.Prefix)
	}
	hdr := http.Header{server.HeaderLastEventID: {strconv.FormatInt(*last, 10)}, "Accept": {"text/event-stream"}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp, err := c.send(ctx, request{method: http.MethodGet, route: "watch", query: q, header: hdr})
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
			var b server.ErrorBody
			if err := json.Unmarshal([]byte(d), &b); err != nil {
				return progressed, fmt.Errorf("%w: watch: malformed error event", ErrUnavailable)
			}
			return progressed, detailError(http.StatusOK, b.Error)
		case "put", "delete":
		default:
			continue // an event kind of a newer server
		}
		var je server.Entry
		if err := json.Unmarshal([]byte(d), &je); err != nil {
			return progressed, fmt.Errorf("%w: watch: malformed event %s: %v", ErrUnavailable, evID, err)
		}
		e, err := je.Decode()
		if err != nil {
			return progressed, err
		}
		if e.Sequence <= *last {
			continue // never twice, whatever a server resends
		}
		*last = e.Sequence
		progressed = true
		if !inRange(e.Key, rg) {
			continue
		}
		if !yield(e, nil) {
			return progressed, errStopped
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
