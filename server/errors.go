package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// apiError is an error with the status and code it is answered with.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// tableError is a request for a table the server does not serve: 404
// not_found, told from a missing key by api.ErrorDetail.Table and
// api.HeaderNotServed.
type tableError struct{ table string }

func (e *tableError) Error() string { return fmt.Sprintf("table %q is not served", e.table) }

func badArg(msg string) error { return &apiError{http.StatusBadRequest, api.CodeInvalidArgument, msg} }

// classify maps an error to its status and code: the server's own errors
// first, then the table api.Codes, then the causes of an unreachable
// database that carry no sentinel.
func classify(err error) (int, string) {
	var ae *apiError
	var mbe *http.MaxBytesError
	var te *tableError
	switch {
	case errors.As(err, &te):
		return http.StatusNotFound, api.CodeNotFound
	case errors.As(err, &ae):
		return ae.status, ae.code
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, api.CodeValueTooLarge
	}
	if c, ok := api.Classify(err); ok {
		return c.Status, c.Code
	}
	if errors.Is(err, sqldict.ErrClosed) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) {
		return http.StatusServiceUnavailable, api.CodeUnavailable
	}
	return http.StatusInternalServerError, api.CodeInternal
}

// writeError answers err as JSON. Internal errors are logged with their
// text and answered without it, so no SQL or DSN detail reaches clients.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := classify(err)
	d := api.ErrorDetail{Code: code, Message: err.Error()}
	var ce *sqldict.ConflictError
	if errors.As(err, &ce) {
		d.Key, d.Expected, d.Actual = ce.Key, &ce.Expected, &ce.Actual
	}
	var te *tableError
	if errors.As(err, &te) {
		d.Table = te.table
		w.Header().Set(api.HeaderNotServed, te.table)
	}
	if status >= 500 {
		s.log.LogAttrs(r.Context(), errorLevel(status), "request failed",
			routeAttr(r), errAttr(err))
		if status == http.StatusInternalServerError {
			d.Message = "internal error (see the server log)"
		}
	}
	h := w.Header()
	h.Del("ETag")
	h.Del("Content-Length")
	h.Set("Content-Type", api.ContentTypeJSON)
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_ = json.NewEncoder(w).Encode(api.ErrorBody{Error: d})
	}
}
