package server

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/sqldict/sqldict/sqldict"

	"github.com/sqldict/sqldict/api"
)

// DefaultMaxInflightBytes is Config.MaxInflightBytes's default: 256 MiB,
// two commits of DefaultMaxCommitBytes at once (each charged twice its
// size), or many smaller ones. A commit of 56 MiB of JSON peaked at about
// 140 MB of heap (the body, its decoded values, the statement's copy), so
// the default keeps request bodies to some 300 MB however many arrive.
const DefaultMaxInflightBytes = 256 << 20

// RetryAfter is the Retry-After, in seconds, of a request refused because
// too many bytes are in flight.
const RetryAfter = 1

// inflight counts the bytes the requests being served may hold. Safe for
// concurrent use.
type inflight struct {
	mu        sync.Mutex
	used, max int64
}

// acquire charges n bytes, or fails with 503 unavailable when they
// would take the count over the cap. A request is always let in when
// nothing else is in flight, so one larger than the cap is not starved.
func (f *inflight) acquire(n int64) (release func(), err error) {
	if n <= 0 {
		return func() {}, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.used > 0 && f.used+n > f.max {
		return nil, &apiError{http.StatusServiceUnavailable, api.CodeUnavailable, fmt.Sprintf(
			"the server has %d bytes of requests in flight, %d more would pass its cap of %d; retry after %ds", f.used, n, f.max, RetryAfter)}
	}
	f.used += n
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			f.used -= n
			f.mu.Unlock()
		})
	}, nil
}

// charge is the bytes a request's body may hold while it is read and
// decoded: twice its length (the body, then the values decoded from it),
// its route's limit when the length is unknown. Bodiless requests cost
// nothing here; their responses stream in pages of sqldict.PageBytes.
func (s *Server) charge(r *http.Request, d *sqldict.Dict) int64 {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return 0
	}
	limit := s.cfg.MaxCommitBytes
	if d != nil {
		limit = max(limit, int64(d.Options().MaxValueSize))
	}
	n := r.ContentLength
	if n < 0 || n > limit {
		n = limit
	}
	return 2 * n
}

// admit charges r's bytes, answering 503 unavailable with Retry-After when
// they do not fit. ok is false when it has answered.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, d *sqldict.Dict) (release func(), ok bool) {
	release, err := s.inflight.acquire(s.charge(r, d))
	if err != nil {
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfter))
		s.writeError(w, r, err)
		return nil, false
	}
	return release, true
}
