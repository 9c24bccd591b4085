package api

import (
	"net/url"
	"strconv"
	"strings"
)

// Routes under /v1/{table}/. RouteKeys and RouteHistory also take a key:
// keys/{key} and history/{key} (see KeyPattern and KeyRoute).
const (
	RouteKeys    = "keys"
	RouteEntries = "entries"
	RouteHistory = "history"
	RouteCommit  = "commit"
	RouteLog     = "log"
	RouteDiff    = "diff"
	RouteWatch   = "watch"
	RouteStat    = "stat"
	RoutePrune   = "prune"
)

// ParamVersion is the query parameter of history/{key} that asks for one
// version of the key: one JSON entry instead of the history.
const ParamVersion = "version"

// Routes outside /v1/.
const (
	PathHealth  = "/healthz"
	PathMetrics = "/metrics"
)

// Pattern returns the net/http ServeMux pattern of route for method:
// "GET /v1/{table}/stat".
func Pattern(method, route string) string { return method + " /v1/{table}/" + route }

// KeyPattern returns the pattern of route followed by a key:
// "GET /v1/{table}/keys/{key...}".
func KeyPattern(method, route string) string { return Pattern(method, route) + "/{key...}" }

// Path returns the unescaped path of route under table: "/v1/t/stat".
func Path(table, route string) string { return "/v1/" + table + "/" + route }

// KeyRoute returns route followed by key as one escaped path segment. Dots
// are escaped too, so that "." and ".." keys are not path segments a
// server refuses.
func KeyRoute(route, key string) string {
	return route + "/" + strings.ReplaceAll(url.PathEscape(key), ".", "%2E")
}

// Headers of the API.
const (
	// HeaderSequence carries the point a read was answered at.
	HeaderSequence = "X-Sqldict-Sequence"
	// HeaderVersion, HeaderEntrySequence, HeaderAuthor and HeaderComment
	// describe the entry of a key's value (GET and HEAD of keys/{key}).
	HeaderVersion       = "X-Sqldict-Version"
	HeaderEntrySequence = "X-Sqldict-Entry-Sequence"
	HeaderAuthor        = "X-Sqldict-Author"
	HeaderComment       = "X-Sqldict-Comment"
	// HeaderNotServed is set, to the table's name, on the 404 not_found of
	// a request for a table the server does not serve: the answer to a
	// HEAD has no body to carry ErrorDetail.Table.
	HeaderNotServed = "X-Sqldict-Not-Served"
	// HeaderLastEventID is the SSE reconnection header of watch: the id
	// (sequence) of the last event the client received.
	HeaderLastEventID = "Last-Event-ID"
)

// Media types of the API's bodies.
const (
	ContentTypeJSON        = "application/json"
	ContentTypeJSONLines   = "application/x-ndjson"
	ContentTypeValue       = "application/octet-stream"
	ContentTypeEventStream = "text/event-stream"
)

// ETag is the entity tag of a key's version.
func ETag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }
