package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/sqldict/sqldict/sqldict"
)

// The error codes of docs/http.md. Package client maps them back to sqldict's
// sentinels.
const (
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodePruned          = "pruned"
	CodeFuture          = "future"
	CodeInvalidKey      = "invalid_key"
	CodeInvalidArgument = "invalid_argument"
	CodeValueTooLarge   = "value_too_large"
	CodeUnauthorized    = "unauthorized"
	CodeForbidden       = "forbidden"
	CodeReadOnly        = "read_only"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"

	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeStorageFull          = "storage_full"
)

// ErrorBody is the JSON of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the "error" member of ErrorBody. Expected and Actual are set
// for code conflict only: the versions of the failed expectation. Table is
// set for code not_found only when the path names a table the server does
// not serve, so that a client tells it from a missing key.
type ErrorDetail struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	Key      string `json:"key,omitempty"`
	Expected *int64 `json:"expected,omitempty"`
	Actual   *int64 `json:"actual,omitempty"`
	Table    string `json:"table,omitempty"`
}

// HeaderNotServed is set, to the table's name, on the 404 not_found of a
// request for a table the server does not serve: the answer to a HEAD has
// no body to carry ErrorDetail.Table.
const HeaderNotServed = "X-Sqldict-Not-Served"

// apiError is an error with the status and code it is answered with.
type apiError struct {
	status int
	code   string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// tableError is a request for a table the server does not serve: 404
// not_found, told from a missing key by ErrorDetail.Table and
// HeaderNotServed.
type tableError struct{ table string }

func (e *tableError) Error() string { return fmt.Sprintf("table %q is not served", e.table) }

func badArg(msg string) error { return &apiError{http.StatusBadRequest, CodeInvalidArgument, msg} }

// classify maps an error to its status and code.
func classify(err error) (int, string) {
	var ae *apiError
	var mbe *http.MaxBytesError
	var te *tableError
	switch {
	case errors.As(err, &te):
		return http.StatusNotFound, CodeNotFound
	case errors.As(err, &ae):
		return ae.status, ae.code
	case errors.As(err, &mbe), errors.Is(err, sqldict.ErrValueTooLarge):
		return http.StatusRequestEntityTooLarge, CodeValueTooLarge
	case errors.Is(err, sqldict.ErrNotFound):
		return http.StatusNotFound, CodeNotFound
	case errors.Is(err, sqldict.ErrConflict):
		return http.StatusPreconditionFailed, CodeConflict
	case errors.Is(err, sqldict.ErrPruned):
		return http.StatusGone, CodePruned
	case errors.Is(err, sqldict.ErrFuture):
		return http.StatusUnprocessableEntity, CodeFuture
	case errors.Is(err, sqldict.ErrInvalidKey):
		return http.StatusBadRequest, CodeInvalidKey
	case errors.Is(err, sqldict.ErrInvalidArgument):
		return http.StatusBadRequest, CodeInvalidArgument
	case errors.Is(err, sqldict.ErrStorageFull):
		return http.StatusInsufficientStorage, CodeStorageFull
	case errors.Is(err, sqldict.ErrReadOnly):
		return http.StatusForbidden, CodeReadOnly
	case errors.Is(err, sqldict.ErrUnavailable), errors.Is(err, sqldict.ErrClosed),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, CodeUnavailable
	}
	return http.StatusInternalServerError, CodeInternal
}

// writeError answers err as JSON. Internal errors are logged with their
// text and answered without it, so no SQL or DSN detail reaches clients.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := classify(err)
	d := ErrorDetail{Code: code, Message: err.Error()}
	var ce *sqldict.ConflictError
	if errors.As(err, &ce) {
		d.Key, d.Expected, d.Actual = ce.Key, &ce.Expected, &ce.Actual
	}
	var te *tableError
	if errors.As(err, &te) {
		d.Table = te.table
		w.Header().Set(HeaderNotServed, te.table)
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
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_ = json.NewEncoder(w).Encode(ErrorBody{Error: d})
	}
}
