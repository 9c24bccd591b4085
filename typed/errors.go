package typed

import (
	"errors"

	"github.com/sqldict/sqldict/sqldict"
)

// The errors of this package, beside the sqldict sentinels it passes
// through unchanged (ErrNotFound, ErrConflict, ErrPruned, ErrFuture,
// ErrInvalidKey, ErrValueTooLarge, ErrClosed …). Match them with errors.Is.
var (
	// ErrFormat is returned when a stored value is not an envelope this
	// package can read: no envelope header (a value written by a plain
	// Dict, see Options.ReadBare), a truncated or malformed header, an
	// envelope version or flag from a newer sqldict, or a codec or layer
	// name the Dict was not given. Nothing is guessed.
	ErrFormat = errors.New("typed: unreadable value envelope")

	// ErrDecode is returned when a value's payload does not decode into T:
	// the codec refused it, or a layer's payload (compressed data) is
	// corrupt.
	ErrDecode = errors.New("typed: value does not decode")

	// ErrDecrypt is returned when an encrypted value fails authentication:
	// its ciphertext or header was altered, it was moved to another key or
	// another journal table, or the keyring holds a different key under its
	// key ID. No plaintext is returned.
	ErrDecrypt = errors.New("typed: value fails to decrypt")

	// ErrUnknownKey is returned when an encrypted value names a key ID the
	// keyring does not hold (a key removed from the ring too early).
	ErrUnknownKey = errors.New("typed: encryption key not in keyring")

	// ErrValidation is returned by writes whose value fails the Validate
	// hook or the JSON Schema. Nothing of the write (or of its whole
	// Commit) is written. It also matches sqldict.ErrInvalidArgument.
	ErrValidation = errors.New("typed: value fails validation")

	// ErrExpired is returned by reads of a key whose value has expired as
	// of the read's time. It also matches sqldict.ErrNotFound: an expired
	// value is absent.
	ErrExpired = errors.New("typed: value expired")

	// ErrWriteOnly is returned by every read of a write-only view
	// (Dict.WriteOnly). Writes to a read-only view (Dict.ReadOnly) return
	// sqldict.ErrReadOnly.
	ErrWriteOnly = errors.New("typed: write-only view")
)

func isNotFound(err error) bool { return errors.Is(err, sqldict.ErrNotFound) }
