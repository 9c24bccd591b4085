package prune

import (
	"context"
	"fmt"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// Result is what Compact did.
type Result struct {
	Removed int64 // rows removed
	Keys    int   // key batches that lost rows (a key split over batches counts in each)
	Batches int   // write transactions run
	Horizon int64 // the prune horizon afterwards
	// Rule is the sequence rule the policy resolved to.
	Rule sqldict.PruneRule
}

// Compact removes the history policy selects, one write transaction per
// batch of at most policy.BatchSize rows, each moving the prune horizon with
// its deletes, then reclaims space per policy.Reclaim. The zero Policy
// removes nothing.
//
// Compact is safe to run while other goroutines and processes write and
// compact: each batch decides what to remove inside its own transaction, so
// a batch finding its work already done removes nothing and succeeds. When
// an error (a cancelled ctx, Close, a lost connection) stops it part way,
// the batches that committed stay committed, Result counts them, and
// running Compact again finishes the job. It fails with ErrReadOnly on a
// read-only Dict, ErrClosed after Close and ErrInvalidArgument for a
// policy with a negative field.
func Compact(ctx context.Context, d *sqldict.Dict, policy Policy) (Result, error) {
	rule, err := policy.Rule(ctx, d)
	if err != nil {
		return Result{}, err
	}
	res := Result{Rule: rule}
	for {
		b, err := d.PruneBatch(ctx, rule)
		if err != nil {
			return res, fmt.Errorf("compact %s after key %q: %w", d.Table(), rule.After, err)
		}
		res.Batches++
		res.Removed += b.Removed
		res.Keys += b.Keys
		res.Horizon = b.Horizon
		if policy.Progress != nil {
			policy.Progress(res)
		}
		if b.Done {
			break
		}
		rule.After = b.Next
		if pause := policy.pause(); pause > 0 && b.Removed > 0 {
			t := time.NewTimer(pause)
			select {
			case <-ctx.Done():
				t.Stop()
				return res, fmt.Errorf("compact %s after key %q: %w", d.Table(), rule.After, ctx.Err())
			case <-t.C:
			}
		}
	}
	if res.Removed > 0 && policy.Reclaim != ReclaimNone {
		if err := d.Reclaim(ctx, policy.Reclaim == ReclaimFull); err != nil {
			return res, fmt.Errorf("compact %s: reclaim space: %w", d.Table(), err)
		}
	}
	return res, nil
}

func (p Policy) pause() time.Duration {
	switch {
	case p.Pause < 0:
		return 0
	case p.Pause == 0:
		return DefaultPause
	}
	return p.Pause
}
