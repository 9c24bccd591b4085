package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// DefaultRetries is Options.Retries when it is zero.
const DefaultRetries = 4

// Errors of this package. Match them with errors.Is.
var (
	// ErrUnauthorized: the server wants a token, or does not know the one
	// sent (401). It is api.ErrUnauthorized.
	ErrUnauthorized = api.ErrUnauthorized
	// ErrForbidden: the token's scope or tables do not cover the request
	// (403). It is api.ErrForbidden.
	ErrForbidden = api.ErrForbidden
	// ErrUnavailable: the server or its database cannot be reached (503,
	// or no connection after the retries). It is sqldict.ErrUnavailable,
	// which a Dict returns when its database cannot be reached.
	ErrUnavailable = sqldict.ErrUnavailable
	// ErrNoTable: the server does not serve the client's table (404
	// not_found naming the table). It matches sqldict.ErrNoJournal, as
	// opening a journal that does not exist read-only does, and never
	// sqldict.ErrNotFound: a Get or Has on an unserved table is an error,
	// not a missing key.
	ErrNoTable = fmt.Errorf("%w: the server does not serve the table", sqldict.ErrNoJournal)
)

// Options configure a Client. The zero value works against the default
// table of a server without tokens.
type Options struct {
	// Table is the journal. Zero: sqldict.DefaultTable.
	Table string
	// Token is sent as "Authorization: Bearer Token". Zero: none.
	Token string
	// HTTPClient makes the requests; its Timeout, if any, also bounds
	// watch streams, so leave it zero and use contexts. Zero: a client
	// with a transport keeping up to 64 idle connections to the server.
	HTTPClient *http.Client
	// Retries is how often a read is tried again after a connection
	// failure or a 503. Zero: DefaultRetries; negative: never.
	Retries int
}

var _ sqldict.Store = (*Client)(nil)

// Client is a remote journal. It is safe for concurrent use.
type Client struct {
	reader // reads at the head

	base    *url.URL
	table   string
	token   string
	hc      *http.Client
	retries int
}

// New returns a client of the journal opts.Table on the server at baseURL
// (http:// or https://). It does not contact the server.
func New(baseURL string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%w: server URL %q: want http://host:port or https://host:port", sqldict.ErrInvalidArgument, baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	if opts.Table == "" {
		opts.Table = sqldict.DefaultTable
	}
	if err := sqldict.ValidTable(opts.Table); err != nil {
		return nil, err
	}
	c := &Client{base: u, table: opts.Table, token: opts.Token, hc: opts.HTTPClient, retries: opts.Retries}
	c.reader = reader{c: c}
	if c.hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns, t.MaxIdleConnsPerHost = 64, 64
		c.hc = &http.Client{Transport: t}
	}
	switch {
	case c.retries == 0:
		c.retries = DefaultRetries
	case c.retries < 0:
		c.retries = 0
	}
	return c, nil
}

// Table returns the journal's table name.
func (c *Client) Table() string { return c.table }

// Close releases idle connections. The Client stays usable.
func (c *Client) Close() error {
	c.hc.CloseIdleConnections()
	return nil
}

// path is the URL of a route under /v1/{table}/.
func (c *Client) url(route string, q url.Values) string {
	u := *c.base
	u.RawPath = c.base.Path + api.Path(c.table, route)
	p, _ := url.PathUnescape(u.RawPath)
	u.Path = p
	u.RawQuery = q.Encode()
	return u.String()
}

// request is one API call.
type request struct {
	method string
	route  string // escaped, under /v1/{table}/
	query  url.Values
	header http.Header
	body   []byte
	ok     []int // statuses answered without an error; nil: 200
}

// do sends req and returns the response for a status in req.ok; any other
// status is turned into the error it carries. Reads are retried.
func (c *Client) do(ctx context.Context, req request) (*http.Response, error) {
	idempotent := req.method == http.MethodGet || req.method == http.MethodHead
	pause := 20 * time.Millisecond
	for attempt := 0; ; attempt++ {
		resp, err := c.send(ctx, req)
		retry := false
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			err = fmt.Errorf("%w: %s %s: %v", ErrUnavailable, req.method, req.route, err)
			retry = true
		} else if !accepted(resp.StatusCode, req.ok) {
			err = responseError(resp)
			retry = resp.StatusCode == http.StatusServiceUnavailable
		} else {
			return resp, nil
		}
		if !retry || !idempotent || attempt >= c.retries {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
		pause *= 2
	}
}

func accepted(status int, ok []int) bool {
	if ok == nil {
		return status == http.StatusOK
	}
	for _, s := range ok {
		if s == status {
			return true
		}
	}
	return false
}

func (c *Client) send(ctx context.Context, req request) (*http.Response, error) {
	var body io.Reader
	if req.body != nil {
		body = strings.NewReader(string(req.body))
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, c.url(req.route, req.query), body)
	if err != nil {
		return nil, err
	}
	for k, v := range req.header {
		hr.Header[k] = v
	}
	if c.token != "" {
		hr.Header.Set("Authorization", "Bearer "+c.token)
	}
	return c.hc.Do(hr)
}

// Error is an error response of the server. Unwrap returns the sentinel
// its code maps to, so errors.Is(err, sqldict.ErrNotFound) works.
type Error struct {
	Status  int
	Code    string
	Message string
	// Table is set when the server does not serve the table the request
	// named; the error then matches ErrNoTable instead of
	// sqldict.ErrNotFound.
	Table string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (HTTP %d %s)", e.Message, e.Status, e.Code)
}

// Unwrap returns the error of e's code in api.Codes (ErrNoTable for a
// table the server does not serve), nil for a code without one.
func (e *Error) Unwrap() error {
	if e.Table != "" && e.Code == api.CodeNotFound {
		return ErrNoTable
	}
	c, _ := api.Lookup(e.Code)
	return c.Err
}

// responseError reads an error response and closes its body.
func responseError(resp *http.Response) error {
	defer closeBody(resp)
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	var b api.ErrorBody
	if err := json.Unmarshal(data, &b); err != nil || b.Error.Code == "" {
		if t := resp.Header.Get(api.HeaderNotServed); t != "" && resp.StatusCode == http.StatusNotFound {
			// A HEAD's answer has no body: the header names the table.
			return &Error{Status: resp.StatusCode, Code: api.CodeNotFound, Table: t,
				Message: fmt.Sprintf("table %q is not served", t)}
		}
		return statusError(resp.StatusCode, strings.TrimSpace(string(data)))
	}
	return detailError(resp.StatusCode, b.Error)
}

// detailError turns the error member of a response or an event into an
// error; a conflict becomes the *sqldict.ConflictError a Dict returns.
func detailError(status int, d api.ErrorDetail) error {
	if d.Code == api.CodeConflict && d.Expected != nil && d.Actual != nil {
		return &sqldict.ConflictError{Key: d.Key, Expected: *d.Expected, Actual: *d.Actual}
	}
	return &Error{Status: status, Code: d.Code, Message: d.Message, Table: d.Table}
}

// statusError is an answer without the API's JSON (a proxy's, or
// net/http's own 400 for a malformed request line).
func statusError(status int, text string) error {
	c, _ := api.ForStatus(status)
	return &Error{Status: status, Code: c.Code, Message: fmt.Sprintf("HTTP %d: %s", status, text)}
}

// drainLimit is how much of an unread answer closeBody reads to keep the
// connection: more costs more than a new connection does.
const drainLimit = 256 << 10

// closeBody reads what is left of a small answer and closes it. Closing a
// body the client has not read to its end closes the connection too, and
// a new connection per write cost more CPU than the write itself at 64
// concurrent clients (BenchmarkServe, op=put).
func closeBody(resp *http.Response) error {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
	return resp.Body.Close()
}

// getJSON reads a JSON answer into v and returns the point it was answered
// at.
func (c *Client) getJSON(ctx context.Context, route string, q url.Values, v any) (int64, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, route: route, query: q})
	if err != nil {
		return 0, err
	}
	defer closeBody(resp)
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return 0, fmt.Errorf("%w: %s: %v", ErrUnavailable, route, err)
	}
	return sequenceOf(resp), nil
}

func sequenceOf(resp *http.Response) int64 {
	var n int64
	fmt.Sscan(resp.Header.Get(api.HeaderSequence), &n)
	return n
}
