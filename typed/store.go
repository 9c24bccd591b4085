package typed

import (
	"context"
	"time"
)

// sequenceAt is implemented by stores that resolve times to sequences
// (*sqldict.Dict); Dict.AsOf needs it.
type sequenceAt interface {
	SequenceAt(ctx context.Context, t time.Time) (int64, error)
}

// tabler is implemented by stores that know their journal table.
type tabler interface{ Table() string }
