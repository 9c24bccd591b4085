package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sqldict/sqldict/dialects"
)

// Dialect is PostgreSQL. The zero value is ready to use.
type Dialect struct{}

var _ dialects.Dialect = (*Dialect)(nil)

// Name returns "postgres".
func (*Dialect) Name() string { return "postgres" }

// Placeholder returns "$n".
func (*Dialect) Placeholder(n int) string { return fmt.Sprintf("$%d", n) }

// EncodeTime returns t in UTC for a TIMESTAMPTZ; the zero time is NULL (an
// empty journal's last_created).
func (*Dialect) EncodeTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// LockSchema opens a transaction on conn and takes a transaction-scoped
// advisory lock on name in it. PostgreSQL DDL is transactional: unlock
// commits when ok and rolls back otherwise, so a failed migration leaves no
// half-built schema and no dirty version behind.
func (*Dialect) LockSchema(ctx context.Context, conn *sql.Conn, name string) (func(ok bool) error, error) {
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext($1))", name); err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		return nil, fmt.Errorf("advisory lock %s: %w", name, err)
	}
	return func(ok bool) error {
		end := "COMMIT"
		if !ok {
			end = "ROLLBACK"
		}
		_, err := conn.ExecContext(context.WithoutCancel(ctx), end)
		return err
	}, nil
}

// Classify maps serialization failures (40001) and deadlocks (40P01) to
// dialects.ErrRetry, unique violations (23505) to dialects.ErrDuplicate, and
// lost or refused connections, administrator shutdowns (57P01-57P03) and
// class 08 to dialects.ErrConnection.
func (*Dialect) Classify(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "40001" || pe.Code == "40P01":
			return &dialects.Classified{Class: dialects.ErrRetry, Err: err}
		case pe.Code == "23505":
			return &dialects.Classified{Class: dialects.ErrDuplicate, Err: err}
		case pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || strings.HasPrefix(pe.Code, "08"):
			return &dialects.Classified{Class: dialects.ErrConnection, Err: err}
		}
		return err
	}
	if IsConnectionError(err) {
		return &dialects.Classified{Class: dialects.ErrConnection, Err: err}
	}
	return err
}

// IsConnectionError reports whether err says the connection to the server is
// gone or could not be made.
func IsConnectionError(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) ||
		errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) ||
		errors.As(err, &ne)
}

// Queries returns the query texts for table.
func (*Dialect) Queries(table string) dialects.Queries {
	r := dialects.Renderer(table)
	cols := func(a string) string {
		return a + strings.ReplaceAll(dialects.EntryColumns, ", ", ", "+a)
	}
	return dialects.Queries{
		WriteIsolation: sql.LevelReadCommitted,
		ServerClock:    true,

		Lock:    r.Replace(`SELECT last_seq, last_created, horizon, clock_timestamp() FROM {M} WHERE id = 1 FOR UPDATE`),
		Advance: r.Replace(`UPDATE {M} SET last_seq = $1, last_created = $2, horizon = $3 WHERE id = 1`),
		Head:    r.Replace(`SELECT last_seq, last_created, horizon FROM {M} WHERE id = 1`),

		Latest: r.Replace(`SELECT item, is_deleted FROM {T} WHERE label = $1 ORDER BY sequence_number DESC LIMIT 1`),
		LatestAt: r.Replace(`SELECT m.horizon, m.last_seq, j.item, j.is_deleted FROM {M} m LEFT JOIN (` +
			`SELECT item, is_deleted FROM {T} WHERE label = $1 AND sequence_number <= $2 ` +
			`ORDER BY sequence_number DESC LIMIT 1) j ON true WHERE m.id = 1`),
		EntryAt: r.Replace(`SELECT {COLS} FROM {T} WHERE label = $1 AND sequence_number <= $2 ORDER BY sequence_number DESC LIMIT 1`),
		Current: r.Replace(`SELECT version, is_deleted FROM {T} WHERE label = $1 ORDER BY sequence_number DESC LIMIT 1`),
		Version: r.Replace(`SELECT {COLS} FROM {T} WHERE label = $1 AND version = $2`),
		History: r.Replace(`SELECT {COLS} FROM {T} WHERE label = $1 AND sequence_number <= $2 ORDER BY sequence_number`),

		KeysAt:  r.Replace(skipScan(true) + `SELECT k.label FROM k WHERE k.live AND k.n < $5 ORDER BY k.label`),
		CountAt: r.Replace(skipScan(false) + `SELECT COUNT(*) FROM k WHERE k.live`),
		EntriesAt: r.Replace(skipScan(true) + `SELECT ` + cols("e.") + ` FROM k CROSS JOIN LATERAL (` +
			`SELECT * FROM {T} j WHERE j.label = k.label AND j.sequence_number <= $4 ` +
			`ORDER BY j.sequence_number DESC LIMIT 1) e WHERE k.live AND k.n < $5 ORDER BY k.label`),

		Log:        r.Replace(`SELECT {COLS} FROM {T} WHERE sequence_number > $1 AND sequence_number <= $2 ORDER BY sequence_number LIMIT $3`),
		SequenceAt: r.Replace(`SELECT sequence_number FROM {T} WHERE created <= $1 ORDER BY created DESC, sequence_number DESC LIMIT 1`),
		Insert:     r.Replace(`INSERT INTO {T} ({COLS}) VALUES `),
		PruneKey:   r.Replace(`DELETE FROM {T} WHERE label = $1 AND sequence_number < $2`),
	}
}

// skipScan walks the distinct labels in [$1, $2) above $3, two index seeks
// per label: one to the next label (the LATERAL step), one to that label's
// newest row at or below $4 (live). History costs no more than the depth of
// the B-tree.
//
// A limited scan ($5) counts as it goes: n is the number of live labels
// before this one, and the recursion stops once n reaches $5. The CTE
// itself is lazy in PostgreSQL, but the ORDER BY that makes the output order
// a guarantee rather than an accident of the plan reads it whole, so the
// count is what keeps a page at O(page · log rows).
func skipScan(limited bool) string {
	cond := ``
	if limited {
		cond = ` AND k.n + k.live::int < $5::bigint`
	}
	return `WITH RECURSIVE k (label, live, n) AS (` +
		`SELECT f.label, ` + liveAt("f.label") + `, 0::bigint FROM (` +
		`SELECT t.label FROM {T} t WHERE t.label >= $1 AND t.label > $3 ORDER BY t.label LIMIT 1) f WHERE f.label < $2 ` +
		`UNION ALL ` +
		`SELECT x.label, ` + liveAt("x.label") + `, k.n + k.live::int FROM k CROSS JOIN LATERAL (` +
		`SELECT t.label FROM {T} t WHERE t.label > k.label ORDER BY t.label LIMIT 1) x WHERE x.label < $2` + cond + `) `
}

// liveAt is true for a label whose newest row at or below $4 is not a
// tombstone, false when it is one or there is none.
func liveAt(label string) string {
	return `COALESCE((SELECT NOT j.is_deleted FROM {T} j WHERE j.label = ` + label + ` AND j.sequence_number <= $4 ` +
		`ORDER BY j.sequence_number DESC LIMIT 1), false)`
}
