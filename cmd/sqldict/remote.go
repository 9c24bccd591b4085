package main

import (
	"context"
	"iter"
	"strings"
	"time"

	"github.com/sqldict/sqldict/client"
	"github.com/sqldict/sqldict/sqldict"
)

// journal is what the verbs that also work against a server need: a
// *sqldict.Dict, or a *client.Client when --db is an http:// or https://
// URL of "sqldict serve".
type journal interface {
	sqldict.Store
	Table() string
	Version(ctx context.Context, key string, v int64) (sqldict.Entry, error)
	SequenceAt(ctx context.Context, t time.Time) (int64, error)
	Log(ctx context.Context, after, until int64) iter.Seq2[sqldict.Entry, error]
	Close() error
}

var (
	_ journal = (*sqldict.Dict)(nil)
	_ journal = (*client.Client)(nil)
)

// remote reports whether --db names a server rather than a database.
func (a *app) remote() bool {
	return strings.HasPrefix(a.db, "http://") || strings.HasPrefix(a.db, "https://")
}

// openJournal opens the journal for a verb that works locally and
// remotely; write says whether it writes (see open and openRead).
func (a *app) openJournal(write bool) (journal, error) {
	if a.remote() {
		return client.New(a.db, client.Options{Table: a.table, Token: env("SQLDICT_TOKEN")})
	}
	if write {
		return a.open()
	}
	return a.openRead()
}

// withJournal opens the journal for writing, runs fn, and closes it.
func (a *app) withJournal(fn func(d journal) error) error { return a.useJournal(true, fn) }

// readJournal opens the journal for reading, runs fn, and closes it.
func (a *app) readJournal(fn func(d journal) error) error { return a.useJournal(false, fn) }

func (a *app) useJournal(write bool, fn func(d journal) error) error {
	return use(func() (journal, error) { return a.openJournal(write) })(fn)
}

// maxValueSize is the value limit a verb reading stdin stops at: the
// Dict's, or for a server the default (the server refuses beyond its own).
func maxValueSize(d journal) int {
	if dict, ok := d.(*sqldict.Dict); ok {
		return dict.Options().MaxValueSize
	}
	return sqldict.DefaultMaxValueSize
}

// remoteVerbs are the verbs that work against a server, exactly as on the
// database. The others need the database itself: import writes rows with
// their own sequences, times and authors, which no route takes; migrate
// and the typed verbs work on the schema and the Dict; serve serves one.
const remoteVerbs = "get, set, del, keys, len, log, diff, edit, patch, export, prune and watch"

// local refuses a server URL for the verbs that need the database itself.
func (a *app) local() error {
	if a.remote() {
		return usagef("--db %s is a server: against a server only %s work; give a database URL", a.dbLabel(), remoteVerbs)
	}
	return nil
}
