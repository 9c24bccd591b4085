package server

import (
	"sync"

	"github.com/sqldict/sqldict/sqldict"
)

// rowsMaxBytes bounds the key bytes a rows cache holds; past it the cache
// starts again empty.
const rowsMaxBytes = 8 << 20

// rows remembers, for one journal, the newest row this server has seen of
// each recently written key: its version and whether it is a tombstone. A
// PUT answers 201 or 200 by the row its write replaced; when that version
// is the one remembered, no read is needed. A key's version numbers are
// never reused and rows never change, so a remembered (key, version) is
// true for ever, whatever other processes write: a write they made in
// between only makes the versions differ, and the PUT reads. Safe for
// concurrent use.
type rows struct {
	mu    sync.Mutex
	m     map[string]rowState
	bytes int

	// hits and misses count deletedAt's answers for remembered keys,
	// halved as they grow: while other writers make the remembered rows
	// stale, a PUT reads beside its commit rather than after it.
	hits, misses int
}

type rowState struct {
	version int64
	deleted bool
}

func newRows() *rows { return &rows{m: map[string]rowState{}} }

// note remembers e unless a newer row of its key is remembered already.
func (c *rows) note(e sqldict.Entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cur, ok := c.m[e.Key]
	switch {
	case ok && cur.version >= e.Version:
		return
	case !ok && c.bytes+len(e.Key) > rowsMaxBytes:
		clear(c.m)
		c.bytes = 0
	}
	if !ok {
		c.bytes += len(e.Key)
	}
	c.m[e.Key] = rowState{e.Version, e.Deleted}
}

// deletedAt reports whether version v of key is a tombstone, when that is
// the version remembered (ok).
func (c *rows) deletedAt(key string, v int64) (deleted, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[key]
	if !ok {
		return false, false
	}
	if c.hits+c.misses >= 4096 {
		c.hits, c.misses = c.hits/2, c.misses/2
	}
	if s.version != v {
		c.misses++
		return false, false
	}
	c.hits++
	return s.deleted, true
}

// trusted reports whether a row of key is remembered and the remembered
// rows have lately been the ones PUTs replaced (at least four times in
// five), so that a PUT of key may skip the read beside its commit.
func (c *rows) trusted(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.m[key]
	return ok && c.misses*4 <= c.hits+16
}
