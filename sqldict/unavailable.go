package sqldict

import (
	"context"
	"errors"
	"net"

	"github.com/sqldict/sqldict/dialects"
)

// unavailable is the one place a lost or refused connection becomes
// ErrUnavailable. err, already classified by the dialect, is wrapped so
// that it matches ErrUnavailable too when it matches dialects.ErrConnection
// or is a network error of database/sql or net. The caller's own context
// ending is not a lost connection: such errors, and all others, are
// returned as they are.
func unavailable(err error) error {
	switch {
	case err == nil, errors.Is(err, ErrUnavailable),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, dialects.ErrConnection), dialects.IsNetworkError(err):
		return &dialects.Classified{Class: ErrUnavailable, Err: err}
	}
	return err
}

// neverSent reports whether err says the statement never reached the
// server: no connection could be made (refused, unreachable, timed out
// dialling). Such a write is not in flight; its outcome is known.
func neverSent(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe) && oe.Op == "dial"
}
