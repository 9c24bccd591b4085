package sqldict

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/internal/watchstat"
)

// A hub tells the watchers of one journal on one pool that the journal has
// grown. It keeps the newest committed sequence it knows of and learns of
// new ones from commits of this process (Dict.wake, at once) and from one
// poller goroutine, which runs while the hub has watchers: it reads the meta
// row every Options.WatchPoll and whenever the dialect's Listener signals.
// However many watchers there are, an idle journal costs the database one
// poller's queries; each watcher queries only when there is something new.
type hub struct {
	mu       sync.Mutex
	seq      int64         // newest committed sequence known
	advanced chan struct{} // closed and replaced when seq grows
	watchers int
	stop     context.CancelFunc // ends the poller; nil when none runs
	done     chan struct{}      // closed when the poller has ended

	polls atomic.Int64 // meta-row reads by the poller, for tests and benchmarks
}

type hubKey struct {
	db    *sql.DB
	table string
}

// hubs holds one hub per pool and journal that was ever watched.
var hubs sync.Map // hubKey → *hub

func (d *Dict) hub() *hub {
	h, _ := hubs.LoadOrStore(hubKey{d.db, d.opts.Table}, &hub{advanced: make(chan struct{})})
	return h.(*hub)
}

// wake tells the journal's watchers in this process that seq is committed.
// It is called after every successful commit and costs a map lookup when
// nobody watches.
func (d *Dict) wake(seq int64) {
	if h, ok := hubs.Load(hubKey{d.db, d.opts.Table}); ok {
		h.(*hub).advance(seq)
	}
}

// advance records that seq is committed and wakes the waiting watchers if it
// is news.
func (h *hub) advance(seq int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if seq > h.seq {
		h.seq = seq
		close(h.advanced)
		h.advanced = make(chan struct{})
	}
}

// state returns the newest known sequence and the channel closed when it
// grows.
func (h *hub) state() (int64, <-chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.seq, h.advanced
}

// join registers a watcher of d, starting the poller for the first one.
func (h *hub) join(d *Dict) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers++
	if h.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop, h.done = cancel, make(chan struct{})
	p := poller{h: h, db: d.db, dialect: d.dialect, head: d.q.Head, table: d.opts.Table, every: d.opts.WatchPoll, log: d.opts.Logger,
		useListener: !d.isReplica}
	go func(done chan struct{}) {
		defer close(done)
		p.run(ctx)
	}(h.done)
}

// leave unregisters a watcher; the last one stops the poller.
func (h *hub) leave() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.watchers--
	if h.watchers == 0 && h.stop != nil {
		h.stop()
		h.stop = nil
	}
}

// halt stops the poller whatever the watchers, and waits for it: the pool
// is closing.
func (h *hub) halt() {
	h.mu.Lock()
	stop, done := h.stop, h.done
	h.stop = nil
	h.mu.Unlock()
	if stop != nil {
		stop()
		<-done
	}
}

// stopHubs halts the pollers of every journal on db, which is closing.
func stopHubs(db *sql.DB) {
	hubs.Range(func(k, v any) bool {
		if k.(hubKey).db == db {
			v.(*hub).halt()
			hubs.Delete(k)
		}
		return true
	})
}

// poller reads the meta row of one journal for its hub.
type poller struct {
	h       *hub
	db      *sql.DB
	dialect dialects.Dialect
	head    string
	table   string
	every   time.Duration
	log     *slog.Logger
	// listen: use the dialect's Listener. Not on a replica: a hot standby
	// refuses LISTEN, and notifications are not replicated.
	useListener bool
}

func (p poller) run(ctx context.Context) {
	signals := make(chan struct{}, 1)
	if l, ok := p.dialect.(dialects.Listener); ok && p.useListener {
		go p.listen(ctx, l, signals)
	}
	tick := time.NewTicker(p.every)
	defer tick.Stop()
	for {
		p.poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-signals:
		}
	}
}

// poll reads the meta row once. A failure is only logged: watchers read the
// journal themselves and report their own errors; the next poll tries again.
func (p poller) poll(ctx context.Context) {
	p.h.polls.Add(1)
	watchstat.Queries.Add(1)
	seq, err := lastSeq(ctx, p.db, p.head)
	if err != nil {
		if ctx.Err() == nil {
			p.log.WarnContext(ctx, "sqldict: watch poll failed", "table", p.table, "err", err)
		}
		return
	}
	p.h.advance(seq)
}

// lastSeq runs head, the dialect's Head query, and returns its first
// column, the last sequence, whatever else the meta row reports.
func lastSeq(ctx context.Context, db *sql.DB, head string) (int64, error) {
	rows, err := db.QueryContext(ctx, head)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, err
		}
		return 0, sql.ErrNoRows
	}
	var seq int64
	dest := make([]any, len(cols))
	dest[0] = &seq
	for i := 1; i < len(dest); i++ {
		dest[i] = new(sql.RawBytes)
	}
	if err := rows.Scan(dest...); err != nil {
		return 0, err
	}
	return seq, rows.Close()
}

// listen forwards the Listener's signals, reconnecting after failures.
func (p poller) listen(ctx context.Context, l dialects.Listener, signals chan<- struct{}) {
	for ctx.Err() == nil {
		err := p.listenOnce(ctx, l, signals)
		if ctx.Err() != nil {
			return
		}
		p.log.WarnContext(ctx, "sqldict: watch listener failed, reconnecting", "table", p.table, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(p.every):
		}
		// Whatever was signalled while the listener was down, look now.
		select {
		case signals <- struct{}{}:
		default:
		}
	}
}

func (p poller) listenOnce(ctx context.Context, l dialects.Listener, signals chan<- struct{}) error {
	conn, err := p.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() {
		// Never hand a listening connection back to the pool: it would
		// keep receiving (and buffering) notifications nobody reads.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close()
	}()
	wait, err := l.Listen(ctx, conn, p.table)
	if err != nil {
		return err
	}
	// A commit between the last poll and LISTEN would go unheard.
	for {
		select {
		case signals <- struct{}{}:
		default:
		}
		if err := wait(ctx); err != nil {
			return err
		}
	}
}
