package manbench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/sqldict/sqldict/internal/benchsuite"
	"github.com/sqldict/sqldict/sqldict"

	_ "github.com/sqldict/sqldict/dialects/all" // the URL names the engine
)

// Store is what the benchmark writes to, lists and reads.
type Store interface {
	Put(ctx context.Context, key string, value []byte) error
	Keys(ctx context.Context) ([]string, error)
	Get(ctx context.Context, key string) ([]byte, error)
	Close() error
}

// dictStore is sqldict: one Set per page.
type dictStore struct{ d *sqldict.Dict }

func (s dictStore) Put(ctx context.Context, k string, v []byte) error { return s.d.Set(ctx, k, v) }
func (s dictStore) Keys(ctx context.Context) ([]string, error)        { return s.d.Keys(ctx) }
func (s dictStore) Get(ctx context.Context, k string) ([]byte, error) { return s.d.Get(ctx, k) }
func (s dictStore) Close() error                                      { return s.d.Close() }

// plainStore is the hand-rolled (k PRIMARY KEY, v) table beside a journal,
// one autocommitted upsert per page.
type plainStore struct {
	p           benchsuite.Plain
	db          *sql.DB
	upsert, get *sql.Stmt
	close       func() error
}

func newPlainStore(ctx context.Context, d *sqldict.Dict) (*plainStore, error) {
	s := &plainStore{p: benchsuite.PlainFor(d), db: d.DB(), close: func() error { return dropJournal(d) }}
	if _, err := s.db.ExecContext(ctx, s.p.Drop); err != nil {
		return nil, err
	}
	if err := s.p.Ensure(ctx); err != nil {
		return nil, err
	}
	var err error
	if s.upsert, err = s.db.PrepareContext(ctx, s.p.Upsert); err != nil {
		return nil, err
	}
	if s.get, err = s.db.PrepareContext(ctx, s.p.Get); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *plainStore) Put(ctx context.Context, k string, v []byte) error {
	_, err := s.upsert.ExecContext(ctx, k, v)
	return err
}

func (s *plainStore) Keys(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.p.Keys)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

func (s *plainStore) Get(ctx context.Context, k string) ([]byte, error) {
	var v []byte
	err := s.get.QueryRowContext(ctx, k).Scan(&v)
	return v, err
}

func (s *plainStore) Close() error {
	_, _ = s.db.Exec(s.p.Drop)
	s.upsert.Close()
	s.get.Close()
	return s.close()
}

// fileStore is a directory with one file per key, each written and
// fsynced (the SQL stores fsync every commit too).
type fileStore struct{ dir string }

func (s fileStore) Put(_ context.Context, k string, v []byte) error {
	f, err := os.Create(filepath.Join(s.dir, k))
	if err != nil {
		return err
	}
	if _, err := f.Write(v); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (s fileStore) Keys(context.Context) ([]string, error) {
	es, err := os.ReadDir(s.dir) // sorted by name
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(es))
	for i, e := range es {
		keys[i] = e.Name()
	}
	return keys, nil
}

func (s fileStore) Get(_ context.Context, k string) ([]byte, error) {
	return os.ReadFile(filepath.Join(s.dir, k))
}

func (s fileStore) Close() error { return os.RemoveAll(s.dir) }

// Target names a store on an engine and opens it empty.
type Target struct {
	Store, Engine string
	Open          func(ctx context.Context) (Store, error)
}

// Targets returns sqldict and the plain table on each engine URL (engine
// name → sqldict.OpenURL URL), then the file-per-key directory under tmp.
// Tables are named manbench_<pid>_<run> and dropped after the run; on
// SQLite every run gets a fresh file.
func Targets(engines []string, urls map[string]string, tmp string) []Target {
	var runs atomic.Int64 // every run gets fresh tables (and SQLite files)
	var ts []Target
	for _, eng := range engines {
		url := urls[eng]
		open := func(ctx context.Context, name string) (*sqldict.Dict, error) {
			u := url
			if eng == "sqlite" {
				u = "sqlite:" + filepath.Join(tmp, name+".db")
			}
			d, err := sqldict.OpenURL(ctx, u, sqldict.Options{Table: name})
			if err != nil {
				return nil, err
			}
			if _, err := d.Stat(ctx); err != nil {
				d.Close()
				return nil, err
			}
			return d, nil
		}
		ts = append(ts,
			Target{Store: "sqldict", Engine: eng, Open: func(ctx context.Context) (Store, error) {
				table := fmt.Sprintf("manbench_%d_%d", os.Getpid(), runs.Add(1))
				d, err := open(ctx, table)
				if err != nil {
					return nil, err
				}
				if st, _ := d.Stat(ctx); st.Sequence != 0 {
					d.Close()
					return nil, fmt.Errorf("table %s is not empty", table)
				}
				return droppingStore{dictStore{d}, d}, nil
			}},
			Target{Store: "plain upsert", Engine: eng, Open: func(ctx context.Context) (Store, error) {
				d, err := open(ctx, fmt.Sprintf("manbench_%d_%d", os.Getpid(), runs.Add(1)))
				if err != nil {
					return nil, err
				}
				return newPlainStore(ctx, d)
			}})
	}
	return append(ts, Target{Store: "file per key", Engine: "fs", Open: func(context.Context) (Store, error) {
		dir, err := os.MkdirTemp(tmp, "files-")
		return fileStore{dir}, err
	}})
}

// droppingStore drops its journal's tables on Close.
type droppingStore struct {
	dictStore
	d *sqldict.Dict
}

func (s droppingStore) Close() error { return dropJournal(s.d) }

// dropJournal closes d and drops its tables and commit routine from a
// server (an SQLite file goes with its temporary directory).
func dropJournal(d *sqldict.Dict) error {
	if d.Dialect().Name() != "sqlite" {
		if err := d.Drop(context.Background()); err != nil {
			return errors.Join(err, d.Close())
		}
	}
	return d.Close()
}
