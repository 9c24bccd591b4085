package typed_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sqldict/sqldict/sqldict"
	"github.com/sqldict/sqldict/typed"

	_ "github.com/sqldict/sqldict/dialects/sqlite" // sqlite: URLs
)

func Example() {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite::memory:", sqldict.Options{Table: "configs"})
	if err != nil {
		panic(err)
	}
	defer d.Close()

	type Limits struct {
		Requests int
		Burst    int
	}
	kr, err := typed.NewKeyring("k1", map[string][]byte{"k1": typed.NewKey()})
	if err != nil {
		panic(err)
	}
	limits, err := typed.New(d, typed.Options[Limits]{
		Layers: []typed.Layer{typed.Compress(0), typed.Encrypt(kr)},
		Validate: func(key string, l Limits) error {
			if l.Burst < l.Requests {
				return fmt.Errorf("burst %d below requests %d", l.Burst, l.Requests)
			}
			return nil
		},
	})
	if err != nil {
		panic(err)
	}
	if err := limits.Set(ctx, "api", Limits{Requests: 10, Burst: 20}); err != nil {
		panic(err)
	}
	err = limits.Set(ctx, "api", Limits{Requests: 10, Burst: 5})
	fmt.Println("invalid write refused:", errors.Is(err, typed.ErrValidation))

	l, err := limits.Get(ctx, "api")
	fmt.Println(l, err)

	now := time.Now()
	sessions, err := typed.New(d, typed.Options[string]{Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	if err := sessions.SetTTL(ctx, "session/1", "alice", time.Hour); err != nil {
		panic(err)
	}
	now = now.Add(2 * time.Hour)
	_, err = sessions.Get(ctx, "session/1")
	fmt.Println("expired:", errors.Is(err, sqldict.ErrNotFound))
	n, err := sessions.Sweep(ctx, sqldict.Range{Prefix: "session/"})
	fmt.Println("swept:", n, err)
	// Output:
	// invalid write refused: true
	// {10 20} <nil>
	// expired: true
	// swept: 1 <nil>
}
