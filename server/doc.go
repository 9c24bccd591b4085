// Package server puts sqldict journals on the network: the HTTP API that
// "sqldict serve" runs, as specified in docs/http.md (which has a curl
// session for every route). Package client is its Go counterpart.
//
// # Model
//
// A Server serves a fixed set of journals, one *sqldict.Dict per table name;
// a request for any other table is 404 not_found, so no client can create
// tables by naming them. Every route is registered on one http.ServeMux
// with a Go 1.22 pattern, wrapped by the same middleware: authentication
// (bearer tokens with scopes and per-table grants), request logging with
// log/slog and Prometheus metrics. Handle adds routes with the same
// middleware, so further pages (a web UI) extend the set without a second
// mux.
//
// # Reads and points in time
//
// Every read is answered at one point of the journal, reported in
// X-Sqldict-Sequence: the query parameters at=SEQUENCE or as_of=TIME choose
// it, the head is the default. Listings read at a snapshot, so a client
// that passes the reported sequence back as at reads every page at the same
// point.
//
// # Keys in paths
//
// A key is the rest of the path after /keys/ (or /history/), percent-decoded,
// so keys may contain "/" either raw or as %2F. Raw "." and ".." segments
// and empty segments are refused with 400 invalid_key rather than cleaned:
// ServeMux would redirect /keys/a/../b to /keys/b, and a client following
// the redirect would write another key. Send such keys percent-encoded
// (%2E%2E); package client always does.
//
// # Errors
//
// Every answer of the API's routes and of the router itself is docs/http.md's
// JSON error: a path no route has is 404 not_found, a method the path's
// routes lack is 405 with code invalid_argument and the Allow header
// (muxerror.go). What net/http answers before any handler runs stays
// plain text: a malformed request line or path encoding (400), headers
// over Config.MaxHeaderBytes (431), an unsupported protocol (505). The
// /ui/ pages answer HTML.
//
// # Limits and timeouts
//
// Request bodies are limited before they are read: a PUT body over the
// journal's MaxValueSize and a commit body over Config.MaxCommitBytes are
// refused with 413 value_too_large, without reading anything when
// Content-Length announces it, otherwise as soon as the limit is crossed.
//
// # Status of a PUT
//
// A PUT answers 201 when the key had no live value and 200 otherwise.
// The core decides it inside the write's transaction, from the head row its
// checks read anyway (sqldict.Dict.Put), so the answer is exact whatever
// other writers do and costs no read. (The server once read the replaced
// version after the commit, which more than halved the throughput at 64
// concurrent PUTs in BenchmarkServe.)
//
// Serve sets read, write and idle timeouts on the http.Server; watch
// streams lift them for their connection, and streamed listings extend the
// write deadline as they make progress.
//
// # The audit pages
//
// /ui/ serves server-rendered pages for people who do not write Go (ui.go,
// ui_pages.go, templates and assets embedded from ui/): the key list, a
// key's history with unified diffs, the whole dict's diff between two
// points, each at the at= or as_of= of its query like the API. The pages
// take the token from an HttpOnly, SameSite=Strict cookie set by /ui/login
// (never from the bearer header, and the API never from the cookie), check
// it with the same grants, escape everything through html/template and send
// a Content-Security-Policy that allows only the server's own script and
// style.
//
// # Security
//
// Without tokens every request is allowed, which is why the CLI refuses to
// listen on a non-loopback address without --tokens. Tokens are compared in
// constant time (over their SHA-256, so the comparison does not reveal the
// length either) and never logged: the request log records the method,
// path, route, status, size, duration and remote address, no header.
// SetTokens swaps the tokens while serving (serve does on SIGHUP).
//
// A browser on the same machine or network is the other threat: any page
// it shows can send requests to the server (guard.go). So, with tokens or
// without, the Host header must name the address the connection reached
// (localhost too on loopback; any interface address on a wildcard bind) or
// a Config.AllowHosts name, else 403 forbidden: a name of the attacker's
// resolving to the server (DNS rebinding) reaches nothing. Requests that
// may change something (not GET, HEAD or OPTIONS) are refused, 403, when
// their Origin names another server or, without Origin, their
// Sec-Fetch-Site is cross-site or same-site. JSON routes want Content-Type
// application/json (415 otherwise), which a page can only send cross-site
// after a CORS preflight the server never grants; a field given twice in a
// JSON body is 400, not last-wins. With tokens, /metrics needs a valid
// token and shows the series of its tables only, and /ui/ lists only the
// tables of the logged-in token. Method labels are bounded (others count
// as OTHER).
package server
