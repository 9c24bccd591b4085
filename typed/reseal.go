package typed

import (
	"context"
	"fmt"

	"github.com/sqldict/sqldict/sqldict"
)

// ResealComment is the comment of the versions Reseal writes.
const ResealComment = "resealed under the primary key"

// Reseal finishes a key rotation: every live, unexpired value in r that is
// encrypted under a key other than the keyring's primary is written again,
// as a new version with the same value and expiry, under the primary key
// (and through the Dict's current codec and layers). Each write expects the
// version it was made from, so a key changed meanwhile is left alone. It
// returns how many values it rewrote.
//
// The journal is append-only: older versions stay under their old keys, so
// a key may leave the ring only once pruning has removed every version
// written under it (or those versions may become unreadable, ErrUnknownKey).
// A Dict without Encrypt fails with sqldict.ErrInvalidArgument.
func (d *Dict[T]) Reseal(ctx context.Context, r sqldict.Range) (int, error) {
	if err := d.canWrite(); err != nil {
		return 0, err
	}
	if d.required == "" {
		return 0, fmt.Errorf("%w: Reseal needs a Dict with Encrypt", sqldict.ErrInvalidArgument)
	}
	primary := d.layers[d.required].(aesLayer).kr.primary
	now := d.opts.Now()
	b := batcher{ctx: ctx, store: d.store, author: d.opts.SweepAuthor, comment: ResealComment}
	for e, err := range d.store.AllIn(ctx, r) {
		if err != nil {
			return b.n, err
		}
		h, _, err := parseHeader(e.Value)
		if err != nil {
			return b.n, fmt.Errorf("%q: %w", e.Key, err)
		}
		if id, _ := h.layer(d.required); expired(h.expires, now) || string(id) == primary {
			continue
		}
		v, exp, err := d.open(e.Key, e.Value)
		if err != nil {
			return b.n, err
		}
		raw, err := d.seal(e.Key, v, exp)
		if err != nil {
			return b.n, err
		}
		if err := b.add(e, raw); err != nil {
			return b.n, err
		}
	}
	return b.n, b.flush()
}
