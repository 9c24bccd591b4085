package typed

import (
	"context"
	"iter"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// Store is what a Dict needs of the byte store under it: a *sqldict.Dict
// has all of it.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Entry(ctx context.Context, key string) (sqldict.Entry, error)
	History(ctx context.Context, key string) ([]sqldict.Entry, error)
	AllIn(ctx context.Context, r sqldict.Range) iter.Seq2[sqldict.Entry, error]
	Set(ctx context.Context, key string, value []byte) error
	Delete(ctx context.Context, key string) error
	Commit(ctx context.Context, writes ...sqldict.Write) ([]sqldict.Entry, error)
	Snapshot(ctx context.Context, seq int64) (*sqldict.Snapshot, error)
}

// reader is the read side both a Store and a snapshot offer.
type reader interface {
	Entry(ctx context.Context, key string) (sqldict.Entry, error)
	History(ctx context.Context, key string) ([]sqldict.Entry, error)
	AllIn(ctx context.Context, r sqldict.Range) iter.Seq2[sqldict.Entry, error]
}

// sequenceAt is implemented by stores that resolve times to sequences
// (*sqldict.Dict); Dict.AsOf needs it.
type sequenceAt interface {
	SequenceAt(ctx context.Context, t time.Time) (int64, error)
}

// tabler is implemented by stores that know their journal table.
type tabler interface{ Table() string }

var _ Store = (*sqldict.Dict)(nil)
