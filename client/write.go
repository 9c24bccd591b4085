package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// Set writes value under key as a new version.
func (c *Client) Set(ctx context.Context, key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	resp, err := c.do(ctx, request{
		method: http.MethodPut, route: api.KeyRoute(api.RouteKeys, key), body: value,
		ok: []int{http.StatusOK, http.StatusCreated},
	})
	if err != nil {
		return err
	}
	return closeBody(resp)
}

// Delete appends a tombstone for key; ErrNotFound when it has no live
// value.
func (c *Client) Delete(ctx context.Context, key string) error {
	resp, err := c.do(ctx, request{method: http.MethodDelete, route: api.KeyRoute(api.RouteKeys, key)})
	if err != nil {
		return err
	}
	return closeBody(resp)
}

// Commit applies writes atomically, as Dict.Commit does, and returns the
// appended entries without their values. Committing no writes does
// nothing.
func (c *Client) Commit(ctx context.Context, writes ...sqldict.Write) ([]sqldict.Entry, error) {
	if len(writes) == 0 {
		return nil, nil
	}
	req := api.CommitRequest{Writes: make([]api.CommitWrite, len(writes))}
	for i, w := range writes {
		// JSON would replace invalid UTF-8 with U+FFFD and the server
		// would store another string: refuse it here, as a Dict does.
		if !utf8.ValidString(w.Key) {
			return nil, fmt.Errorf("%w: write %d: key %q is not valid UTF-8", sqldict.ErrInvalidKey, i, w.Key)
		}
		if !utf8.ValidString(w.Author) || !utf8.ValidString(w.Comment) {
			return nil, fmt.Errorf("%w: write %d of %q: author or comment is not valid UTF-8", sqldict.ErrInvalidArgument, i, w.Key)
		}
		cw := api.CommitWrite{Key: w.Key, Delete: w.Delete, Author: w.Author, Comment: w.Comment}
		if w.Delete && w.Value != nil {
			return nil, fmt.Errorf("%w: write %d of %q: a delete has no value", sqldict.ErrInvalidArgument, i, w.Key)
		}
		if !w.Delete {
			cw.Value = w.Value
			if cw.Value == nil {
				cw.Value = []byte{}
			}
		}
		if v, ok := w.IfVersion.Version(); ok {
			cw.IfVersion = &v
		}
		req.Writes[i] = cw
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(ctx, request{method: http.MethodPost, route: api.RouteCommit, body: body,
		header: http.Header{"Content-Type": {api.ContentTypeJSON}}})
	if err != nil {
		return nil, err
	}
	defer closeBody(resp)
	var out api.CommitResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("%w: commit answered but unreadable (it did commit): %v", ErrUnavailable, err)
	}
	es := make([]sqldict.Entry, len(out.Entries))
	for i, e := range out.Entries {
		if es[i], err = e.Decode(); err != nil {
			return nil, err
		}
	}
	return es, nil
}
