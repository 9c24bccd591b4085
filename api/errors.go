package api

import (
	"errors"
	"net/http"

	"github.com/sqldict/sqldict/sqldict"
)

// The error codes of the API: the "code" member of an ErrorBody.
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
	CodeStorageFull     = "storage_full"
	CodeInternal        = "internal"

	CodeUnsupportedMediaType = "unsupported_media_type"
)

// Errors for the codes that have no sqldict sentinel. Match them with
// errors.Is; package client returns them.
var (
	// ErrUnauthorized: the server wants a token, or does not know the one
	// sent (401).
	ErrUnauthorized = errors.New("sqldict client: unauthorized")
	// ErrForbidden: the token's scope or tables do not cover the request
	// (403).
	ErrForbidden = errors.New("sqldict client: forbidden")
)

// ErrorCode is one row of Codes: an error code, the status it is answered
// with and the error it stands for (nil: none).
type ErrorCode struct {
	Code   string
	Status int
	Err    error
}

// Codes is the table of every error code: a server answers an error
// matching Err (errors.Is) with Status and Code, and a client turns Code
// back into Err. The first row whose Err matches wins, so a sentinel that
// wraps another comes before it; a row whose Err an earlier row has is
// only read back by clients. For an answer without the API's JSON (a
// proxy's), a client takes the first row of its status.
var Codes = []ErrorCode{
	{CodeNotFound, http.StatusNotFound, sqldict.ErrNotFound},
	{CodeConflict, http.StatusPreconditionFailed, sqldict.ErrConflict},
	{CodePruned, http.StatusGone, sqldict.ErrPruned},
	{CodeFuture, http.StatusUnprocessableEntity, sqldict.ErrFuture},
	{CodeInvalidArgument, http.StatusBadRequest, sqldict.ErrInvalidArgument},
	{CodeInvalidKey, http.StatusBadRequest, sqldict.ErrInvalidKey},
	{CodeValueTooLarge, http.StatusRequestEntityTooLarge, sqldict.ErrValueTooLarge},
	{CodeUnauthorized, http.StatusUnauthorized, ErrUnauthorized},
	{CodeForbidden, http.StatusForbidden, ErrForbidden},
	{CodeReadOnly, http.StatusForbidden, sqldict.ErrReadOnly},
	{CodeUnavailable, http.StatusServiceUnavailable, sqldict.ErrUnavailable},
	{CodeStorageFull, http.StatusInsufficientStorage, sqldict.ErrStorageFull},
	// A body that is not JSON where JSON is wanted: bad input to a client,
	// answered by the server's own check (never by Classify: the
	// invalid_argument row comes first).
	{CodeUnsupportedMediaType, http.StatusUnsupportedMediaType, sqldict.ErrInvalidArgument},
	{CodeInternal, http.StatusInternalServerError, nil},
}

// Classify returns the row of Codes whose Err err matches, and false when
// none does.
func Classify(err error) (ErrorCode, bool) {
	for _, c := range Codes {
		if c.Err != nil && errors.Is(err, c.Err) {
			return c, true
		}
	}
	return ErrorCode{}, false
}

// Lookup returns the row of code, and false for a code this build does
// not know.
func Lookup(code string) (ErrorCode, bool) {
	for _, c := range Codes {
		if c.Code == code {
			return c, true
		}
	}
	return ErrorCode{}, false
}

// ForStatus returns the row for an error answer of status that carries no
// code (a proxy's, or net/http's own 400): for 500 and above
// CodeUnavailable's, as a gateway that fails means the server cannot be
// reached; otherwise the first row of status, and false when there is none.
func ForStatus(status int) (ErrorCode, bool) {
	if status >= 500 {
		return Lookup(CodeUnavailable)
	}
	for _, c := range Codes {
		if c.Status == status {
			return c, true
		}
	}
	return ErrorCode{}, false
}

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
