// Package client is the Go client of the sqldict HTTP API ("sqldict serve",
// package server). A *Client reads and writes one journal on a server and
// returns the same errors a local *sqldict.Dict does, so code written
// against the Dict's method set runs against a remote journal unchanged:
//
//	c, err := client.New("http://127.0.0.1:8080", client.Options{Table: "configs", Token: tok})
//	err = c.Set(ctx, "k", []byte("v"))
//	v, err := c.Get(ctx, "k")                         // errors.Is(err, sqldict.ErrNotFound)
//	_, err = c.Commit(ctx, sqldict.Write{Key: "k", Value: v, IfVersion: sqldict.Expect(3)})
//	var ce *sqldict.ConflictError                     // errors.As: the versions of a remote conflict
//
// # Errors
//
// Every error code of the API maps back to a sentinel: not_found to
// sqldict.ErrNotFound, conflict to a *sqldict.ConflictError (which matches
// sqldict.ErrConflict), pruned, future, invalid_key, invalid_argument,
// value_too_large and read_only to theirs; unauthorized, forbidden and
// unavailable to this package's ErrUnauthorized, ErrForbidden and
// ErrUnavailable. A *Error carries the HTTP status and the server's message.
// A table the server does not serve is not a missing key: every call on it
// fails with ErrNoTable (which matches sqldict.ErrNoJournal, never
// sqldict.ErrNotFound), Has included.
//
// # Retries
//
// Reads (GET and HEAD) are idempotent and are retried, Options.Retries
// times with a growing pause, when the connection fails or the server
// answers 503. Writes are never retried: a write whose connection failed
// may or may not have committed, and the caller decides (read the key's
// version, or commit with an expectation).
//
// # Watch
//
// Watch follows the server's event stream and reconnects by itself after a
// dropped connection or a server restart, sending Last-Event-ID, so it
// delivers every committed entry once, in sequence order, until its context
// ends or the server refuses (a pruned point, a revoked token).
//
// # Points in time
//
// Reads at the head are answered at the newest commit. Snapshot returns a
// view at a sequence whose reads are all answered at that point, as a
// *sqldict.Snapshot's are.
package client
