package main

import (
	"context"
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
	Version(ctx context.Context, key string, v int64) (sqldict.Entry, error)
	SequenceAt(ctx context.Context, t time.Time) (int64, error)
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

// local refuses a server URL for the verbs that need the database itself.
func (a *app) local() error {
	if a.remote() {
		return usagef("--db %s is a server: against a server only get, set, del, keys, len, log, edit and patch work; give a database URL", a.dbLabel())
	}
	return nil
}
