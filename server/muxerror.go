package server

import (
	"fmt"
	"github.com/sqldict/sqldict/api"
	"net/http"
)

// muxErrorWriter turns the ServeMux's own plain-text error answers (404 for
// a path no route has, 405 for a method the path's routes lack) into
// docs/http.md's JSON errors. The mux sets Allow before it writes a 405; that
// header is kept. A redirect (the mux adds a trailing slash to a few
// paths) passes unchanged.
type muxErrorWriter struct {
	http.ResponseWriter
	s       *Server
	r       *http.Request
	swallow bool // the JSON answer is written: drop the mux's text
}

// Unwrap lets http.ResponseController reach the connection.
func (m *muxErrorWriter) Unwrap() http.ResponseWriter { return m.ResponseWriter }

func (m *muxErrorWriter) WriteHeader(code int) {
	if code < http.StatusBadRequest || m.swallow {
		m.ResponseWriter.WriteHeader(code)
		return
	}
	m.swallow = true
	m.s.writeError(m.ResponseWriter, m.r, muxError(m.r, code, m.Header().Get("Allow")))
}

func (m *muxErrorWriter) Write(p []byte) (int, error) {
	if m.swallow {
		return len(p), nil
	}
	return m.ResponseWriter.Write(p)
}

// muxError is the JSON error for a status the mux chose. A wrong method is
// invalid_argument, keeping the status 405: the request is the client's
// mistake, as for a 400, and a 405 tells HTTP tools to look at Allow.
func muxError(r *http.Request, status int, allow string) error {
	switch status {
	case http.StatusNotFound:
		return &apiError{status, api.CodeNotFound, fmt.Sprintf("no route for %s %s (see docs/http.md)", r.Method, r.URL.EscapedPath())}
	case http.StatusMethodNotAllowed:
		return &apiError{status, api.CodeInvalidArgument, fmt.Sprintf("method %s is not allowed on %s; allowed: %s", r.Method, r.URL.EscapedPath(), allow)}
	}
	return &apiError{status, api.CodeInvalidArgument, http.StatusText(status)}
}
