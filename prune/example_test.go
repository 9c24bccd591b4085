package prune_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"

	_ "github.com/sqldict/sqldict/dialects/sqlite" // sqlite: URLs
)

func ExampleCompact() {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite::memory:", sqldict.Options{})
	if err != nil {
		panic(err)
	}
	defer d.Close()
	for _, v := range []string{"v1", "v2", "v3"} {
		if err := d.Set(ctx, "config", []byte(v)); err != nil { // sequences 1, 2, 3
			panic(err)
		}
	}

	res, err := prune.Compact(ctx, d, prune.Policy{KeepVersions: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println("removed", res.Removed, "horizon", res.Horizon)

	_, err = d.Snapshot(ctx, 2)
	fmt.Println("snapshot at 2 pruned:", errors.Is(err, sqldict.ErrPruned))
	s, err := d.Snapshot(ctx, 3)
	if err != nil {
		panic(err)
	}
	v, _ := s.Get(ctx, "config")
	fmt.Println("at 3:", string(v))
	// Output:
	// removed 2 horizon 3
	// snapshot at 2 pruned: true
	// at 3: v3
}
