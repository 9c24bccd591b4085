package sqldict

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"

	"github.com/sqldict/sqldict/dialects"
	"github.com/sqldict/sqldict/migrations"
)

// Dict is one journal table used as a versioned key/value store. It is safe
// for concurrent use by many goroutines, and several processes may open the
// same journal: writers serialise on the journal's meta row.
type Dict struct {
	db      *sql.DB
	owned   bool // Close closes db: it was opened by OpenURL
	dialect dialects.Dialect
	q       dialects.Queries
	opts    Options
	maxKey  string // sorts after every valid key

	closed atomic.Bool
	// gate is held shared by every write transaction of this Dict and
	// exclusively by Close, which must not close statements a transaction
	// is using: database/sql's Stmt.Close waits for the connections that
	// run them, and such a connection may wait for the journal's row lock
	// held by a writer that waits, in Tx.StmtContext, for Stmt.Close.
	gate  sync.RWMutex
	wmu   chan struct{} // serialises writers in process when the dialect asks; shared per *sql.DB
	stmts sync.Map      // query text → *sql.Stmt on db
	texts sync.Map      // generated multi-row texts by (head, rows)

	group group     // concurrent commits, coalesced
	heads headCache // the head of keys as this Dict last saw it (call.go)

	// closing is closed by Close: it ends the Dict's watches.
	closing chan struct{}

	// Replica reads (replica.go): rep is the replica of a primary with
	// Options.Replica; isReplica marks the read-only Dict on the replica;
	// written is the newest sequence this Dict committed.
	rep       *replicaState
	isReplica bool
	written   atomic.Int64

	// For dialects with Queries.BeginWrite: the dedicated writer
	// connection and the statements prepared on it; guarded by wmu.
	wconn  *sql.Conn
	wstmts map[string]*sql.Stmt
}

// writeLocks holds one in-process write lock per pool: every Dict on one
// SQLite pool (several journals in a file, or several handles on one
// journal) takes turns here instead of polling SQLite's busy handler.
var writeLocks sync.Map // *sql.DB → chan struct{}

func writeLock(db *sql.DB) chan struct{} {
	l, _ := writeLocks.LoadOrStore(db, make(chan struct{}, 1))
	return l.(chan struct{})
}

// Open opens the journal opts.Table on a gorm connection (gorm.io/driver/
// sqlite, mysql or postgres), migrating it unless opts.SkipMigrate. The Dict
// uses gormDB's *sql.DB; Close does not close it.
//
// The dialect is found by the name gorm's dialector reports, among those
// the imported dialect packages registered: a gorm program imports the
// sqldict dialect of its engine beside gorm's driver (import _
// "github.com/sqldict/sqldict/dialects/postgres"), or Open fails with
// ErrUnknownScheme naming that import. The core links no driver itself.
func Open(ctx context.Context, gormDB *gorm.DB, opts Options) (*Dict, error) {
	if gormDB == nil || gormDB.Dialector == nil {
		return nil, fmt.Errorf("%w: nil gorm.DB", ErrInvalidArgument)
	}
	name := gormDB.Dialector.Name()
	if name == "sqlite3" { // some SQLite dialectors for gorm report this name
		name = "sqlite"
	}
	drv, err := lookupDriver(name, fmt.Sprintf("gorm dialector %q", gormDB.Dialector.Name()))
	if err != nil {
		return nil, err
	}
	db, err := gormDB.DB()
	if err != nil {
		return nil, fmt.Errorf("gorm: %w", err)
	}
	return OpenDB(ctx, db, drv.Dialect, opts)
}

// OpenDB opens the journal on a plain *sql.DB, for callers that do not use
// gorm; dialect is one of the dialects/... packages' Dialect. Close does not
// close db.
func OpenDB(ctx context.Context, db *sql.DB, dialect dialects.Dialect, opts Options) (*Dict, error) {
	if db == nil || dialect == nil {
		return nil, fmt.Errorf("%w: nil database or dialect", ErrInvalidArgument)
	}
	return open(ctx, db, false, dialect, opts)
}

func open(ctx context.Context, db *sql.DB, owned bool, dialect dialects.Dialect, opts Options) (*Dict, error) {
	d, err := openJournal(ctx, db, owned, dialect, opts)
	if err != nil {
		return nil, unavailable(dialect.Classify(err))
	}
	return d, nil
}

func openJournal(ctx context.Context, db *sql.DB, owned bool, dialect dialects.Dialect, opts Options) (*Dict, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if db.Stats().MaxOpenConnections == 1 && !opts.ReadOnly {
		// A write transaction holds one connection while it prepares a
		// statement on the pool, and SQLite's writer keeps one of its own:
		// with one, the first write or the first read after it would wait
		// forever.
		return nil, fmt.Errorf("%w: the pool allows one open connection; a writable Dict needs at least 2 (SetMaxOpenConns)", ErrInvalidArgument)
	}
	d := &Dict{
		db:      db,
		owned:   owned,
		dialect: dialect,
		q:       dialect.Queries(opts.Table),
		opts:    opts,
		wmu:     writeLock(db),
		closing: make(chan struct{}),
		wstmts:  map[string]*sql.Stmt{},
	}
	j := migrations.Journal{Table: opts.Table, KeyLength: opts.KeyLength}
	if j.KeyLength == 0 {
		j.KeyLength = DefaultKeyLength
	}
	if !opts.SkipMigrate && !opts.ReadOnly {
		if err := migrations.Up(ctx, db, dialect, j); err != nil {
			if errors.Is(err, migrations.ErrNameTaken) {
				return nil, fmt.Errorf("open %s: %w: %w", opts.Table, ErrInvalidArgument, err)
			}
			return nil, fmt.Errorf("open %s: %w", opts.Table, err)
		}
	} else {
		latest, err := migrations.Latest(dialect.Name())
		if err != nil {
			return nil, err
		}
		cur, dirty, err := migrations.Current(ctx, db, dialect, j)
		if err != nil {
			return nil, fmt.Errorf("open %s: read schema version: %w", opts.Table, err)
		}
		switch {
		case cur == 0 && !dirty:
			return nil, fmt.Errorf("open %s: %w", opts.Table, ErrNoJournal)
		case cur > latest:
			return nil, fmt.Errorf("open %s: %w: version %d, this build knows up to %d", opts.Table, ErrSchemaTooNew, cur, latest)
		case !dirty && cur < latest:
			return nil, fmt.Errorf("open %s: %w: version %d, want %d", opts.Table, ErrSchemaOld, cur, latest)
		case dirty:
			return nil, fmt.Errorf("open %s: %w: at version %d", opts.Table, migrations.ErrDirty, cur)
		}
	}
	stored, err := d.loadKeyLength(ctx)
	if err != nil {
		return nil, err
	}
	// The listing bound covers every key the journal may hold, whatever
	// this handle's KeyLength: another handle may have written longer ones.
	d.maxKey = strings.Repeat("\U0010FFFF", stored/4+1)
	if opts.Replica != nil {
		if err := d.openReplica(ctx); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// loadKeyLength reconciles Options.KeyLength with the length the journal was
// created with, and returns that.
func (d *Dict) loadKeyLength(ctx context.Context) (int, error) {
	var stored int
	err := d.db.QueryRowContext(ctx, "SELECT key_length FROM "+dialects.MetaTable(d.opts.Table)).Scan(&stored)
	if err != nil {
		return 0, fmt.Errorf("open %s: read meta row: %w", d.opts.Table, err)
	}
	switch {
	case d.opts.KeyLength == 0:
		d.opts.KeyLength = stored
	case d.opts.KeyLength > stored:
		return 0, fmt.Errorf("%w: KeyLength %d exceeds the %d bytes journal %s was created with", ErrInvalidArgument, d.opts.KeyLength, stored, d.opts.Table)
	}
	return stored, nil
}

// Table returns the journal table's name.
func (d *Dict) Table() string { return d.opts.Table }

// Dialect returns the dialect the Dict runs on.
func (d *Dict) Dialect() dialects.Dialect { return d.dialect }

// DB returns the *sql.DB the Dict runs on.
func (d *Dict) DB() *sql.DB { return d.db }

// Options returns the Dict's options with defaults filled in.
func (d *Dict) Options() Options { return d.opts }

// Close releases the Dict's prepared statements and writer connection, and
// closes the database when the Dict opened it (OpenURL). Calls after Close
// fail with ErrClosed; calls in flight may fail with it. A write in flight
// either commits (nil) or fails with ErrClosed and leaves nothing: Close
// waits for the write transactions in flight, and one that gets the
// journal's lock after Close began rolls back. Close is idempotent.
func (d *Dict) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	close(d.closing)
	var errs []error
	d.gate.Lock() // wait for the write transactions in flight
	defer d.gate.Unlock()
	d.wmu <- struct{}{}
	for _, s := range d.wstmts {
		errs = append(errs, s.Close())
	}
	if d.wconn != nil {
		errs = append(errs, d.wconn.Close())
		d.wconn = nil
	}
	<-d.wmu
	d.stmts.Range(func(_, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		return true
	})
	if d.rep != nil {
		errs = append(errs, d.rep.d.Close())
	}
	if d.owned {
		stopHubs(d.db)
		writeLocks.Delete(d.db)
		errs = append(errs, d.db.Close())
	}
	return errors.Join(errs...)
}

// begin checks what every call checks first.
func (d *Dict) begin(ctx context.Context) error {
	if d.closed.Load() {
		return ErrClosed
	}
	return ctx.Err()
}

// stmt returns the statement for q prepared on the pool, preparing it once.
func (d *Dict) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := d.stmts.Load(q); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := d.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, d.fail(err)
	}
	if prev, loaded := d.stmts.LoadOrStore(q, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// fail translates errors at the edge: a closed Dict reports ErrClosed
// whatever the driver said, and native errors are classified by the dialect.
func (d *Dict) fail(err error) error {
	if err == nil {
		return nil
	}
	if d.closed.Load() && !errors.Is(err, ErrClosed) {
		return fmt.Errorf("%w (%v)", ErrClosed, err)
	}
	err = unavailable(d.dialect.Classify(err))
	if errors.Is(err, dialects.ErrStorageFull) && !errors.Is(err, ErrStorageFull) {
		return fmt.Errorf("%w: %w", ErrStorageFull, err)
	}
	return err
}
