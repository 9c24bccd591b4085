package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"
)

// Log streams the journal's rows with after < sequence <= until in commit
// order, deletions included, as Dict.Log does (GET /log, page by page). An
// until after the newest commit streams up to the newest commit, as on a
// Dict. A negative after or until yields sqldict.ErrInvalidArgument.
func (c *Client) Log(ctx context.Context, after, until int64) iter.Seq2[sqldict.Entry, error] {
	return func(yield func(sqldict.Entry, error) bool) {
		if after < 0 || until < 0 {
			yield(sqldict.Entry{}, fmt.Errorf("%w: log after %d until %d: sequences are not negative", sqldict.ErrInvalidArgument, after, until))
			return
		}
		for after < until {
			resp, err := c.logPage(ctx, after, &until)
			if err != nil {
				yield(sqldict.Entry{}, err)
				return
			}
			last := after
			got, _, err := readLines(resp.Body, func(e sqldict.Entry, err error) bool {
				last = e.Sequence
				return yield(e, err)
			})
			resp.Body.Close()
			if err != nil {
				yield(sqldict.Entry{}, err)
				return
			}
			if got < 0 || got < pageSize {
				return // the consumer stopped, or the last page
			}
			after = last
		}
	}
}

// logPage asks for the page of the log after after. The server refuses an
// until it has not reached (future): the page is then asked for without
// one, up to the head, and *until becomes the head it answered at.
func (c *Client) logPage(ctx context.Context, after int64, until *int64) (*http.Response, error) {
	q := url.Values{"after": {strconv.FormatInt(after, 10)}, "limit": {strconv.Itoa(pageSize)}}
	q.Set("until", strconv.FormatInt(*until, 10))
	resp, err := c.do(ctx, request{method: http.MethodGet, route: api.RouteLog, query: q})
	if !errors.Is(err, sqldict.ErrFuture) {
		return resp, err
	}
	q.Del("until")
	if resp, err = c.do(ctx, request{method: http.MethodGet, route: api.RouteLog, query: q}); err == nil {
		*until = min(*until, sequenceOf(resp))
	}
	return resp, err
}

// Diff returns the keys whose live values differ between sequences from
// and to, sorted by key, as snapshot.Diff does for two views of a Dict
// (GET /diff). Errors: sqldict.ErrPruned, sqldict.ErrFuture.
func (c *Client) Diff(ctx context.Context, from, to int64) ([]snapshot.Change, error) {
	if from < 0 || to < 0 {
		return nil, fmt.Errorf("%w: diff from %d to %d: sequences are not negative", sqldict.ErrInvalidArgument, from, to)
	}
	q := url.Values{"from": {strconv.FormatInt(from, 10)}, "to": {strconv.FormatInt(to, 10)}}
	var out []api.Change
	if _, err := c.getJSON(ctx, api.RouteDiff, q, &out); err != nil {
		return nil, err
	}
	changes := make([]snapshot.Change, len(out))
	for i, ch := range out {
		kind, ok := kinds[ch.Kind]
		if !ok {
			return nil, fmt.Errorf("%w: diff: unknown kind %q", ErrUnavailable, ch.Kind)
		}
		changes[i] = snapshot.Change{Key: ch.Key, Kind: kind}
		var err error
		if changes[i].Before, err = decodePtr(ch.Before); err != nil {
			return nil, err
		}
		if changes[i].After, err = decodePtr(ch.After); err != nil {
			return nil, err
		}
	}
	return changes, nil
}

var kinds = map[string]snapshot.Kind{
	snapshot.Added.String():   snapshot.Added,
	snapshot.Changed.String(): snapshot.Changed,
	snapshot.Deleted.String(): snapshot.Deleted,
}

func decodePtr(e *api.Entry) (*sqldict.Entry, error) {
	if e == nil {
		return nil, nil
	}
	out, err := e.Decode()
	return &out, err
}

// Prune runs prune.Compact on the server by policy (POST /prune, admin
// scope: ErrForbidden otherwise). policy.Progress is not called and
// Result.Keys and Result.Rule are not reported: the server answers once,
// with Removed, Batches and Horizon. Like every write it is not retried.
func (c *Client) Prune(ctx context.Context, policy prune.Policy) (prune.Result, error) {
	p := api.PrunePolicy{
		KeepVersions: policy.KeepVersions, Through: policy.Through,
		DropDeleted: policy.DropDeleted, BatchSize: policy.BatchSize,
	}
	if policy.KeepFor != 0 {
		p.KeepFor = policy.KeepFor.String()
	}
	if !policy.Before.IsZero() {
		p.Before = policy.Before.UTC().Format(time.RFC3339Nano)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return prune.Result{}, err
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, route: api.RoutePrune, body: body,
		header: http.Header{"Content-Type": {api.ContentTypeJSON}}})
	if err != nil {
		return prune.Result{}, err
	}
	defer closeBody(resp)
	var res api.PruneResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return prune.Result{}, fmt.Errorf("%w: prune answered but unreadable (it did run): %v", ErrUnavailable, err)
	}
	return prune.Result{Removed: res.Removed, Batches: res.Batches, Horizon: res.Horizon}, nil
}
