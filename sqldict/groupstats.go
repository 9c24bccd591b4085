package sqldict

import (
	"math/bits"
	"sync/atomic"
)

// GroupSizeBuckets is the length of GroupStats.Sizes: batch sizes up to
// 2^(GroupSizeBuckets-1) callers, which the group's row cap (1024 rows,
// at least one a caller) never exceeds.
const GroupSizeBuckets = 11

// GroupStats counts a Dict's group commits since it was opened (see
// Dict.GroupStats). Every transaction the group ran for Commit calls
// counts, a lone caller's too (a batch of one), whether it committed or
// failed; a batch the database refused and that was then run member by
// member counts once, as the batch its callers shared.
type GroupStats struct {
	// Batches is the number of group transactions run.
	Batches int64
	// Callers is the number of Commit calls (Set, Delete …) they carried.
	// Callers/Batches is the mean batch size.
	Callers int64
	// Rows is the number of writes they carried.
	Rows int64
	// Sizes[i] counts the batches of 2^(i-1) < callers <= 2^i (Sizes[0]:
	// one caller), for a histogram of batch sizes.
	Sizes [GroupSizeBuckets]int64
}

// GroupStats returns the group-commit counters of d, for metrics: they
// only grow, each independently (a read racing a batch may see its Batches
// but not yet its Callers). Safe for concurrent use, and after Close (the
// counts stay as they were).
func (d *Dict) GroupStats() GroupStats {
	c := &d.group.stats
	out := GroupStats{Batches: c.batches.Load(), Callers: c.callers.Load(), Rows: c.rows.Load()}
	for i := range c.sizes {
		out.Sizes[i] = c.sizes[i].Load()
	}
	return out
}

// groupCounters are the atomics behind GroupStats: the leader adds to them
// outside the group's lock, a scrape reads them without it.
type groupCounters struct {
	batches, callers, rows atomic.Int64
	sizes                  [GroupSizeBuckets]atomic.Int64
}

func (c *groupCounters) add(callers, rows int) {
	c.batches.Add(1)
	c.callers.Add(int64(callers))
	c.rows.Add(int64(rows))
	c.sizes[min(bits.Len(uint(callers-1)), GroupSizeBuckets-1)].Add(1)
}
