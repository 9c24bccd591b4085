package snapshot_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/sqldict/sqldict/snapshot"
	"github.com/sqldict/sqldict/sqldict"

	_ "github.com/sqldict/sqldict/dialects/sqlite" // sqlite: URLs
)

func Example() {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite::memory:", sqldict.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	_, err = d.Commit(ctx,
		sqldict.Write{Key: "db/host", Value: []byte("db1")},
		sqldict.Write{Key: "db/port", Value: []byte("5432")})
	if err != nil {
		log.Fatal(err)
	}
	then, err := snapshot.Head(ctx, d) // pinned: later writes do not show
	if err != nil {
		log.Fatal(err)
	}
	if err := d.Set(ctx, "db/host", []byte("db2")); err != nil {
		log.Fatal(err)
	}
	if err := d.Delete(ctx, "db/port"); err != nil {
		log.Fatal(err)
	}

	host, _ := then.Get(ctx, "db/host")
	keys, _ := then.Keys(ctx)
	fmt.Printf("at %d: db/host=%s keys=%q\n", then.Sequence(), host, keys)
	now, _ := d.Keys(ctx)
	fmt.Printf("now: keys=%q\n", now)
	// Output:
	// at 2: db/host=db1 keys=["db/host" "db/port"]
	// now: keys=["db/host"]
}

func ExampleAsOf() {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite::memory:", sqldict.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	first, _ := d.Commit(ctx, sqldict.Write{Key: "limit", Value: []byte("10")})
	second, _ := d.Commit(ctx, sqldict.Write{Key: "limit", Value: []byte("20")})

	// The time of a commit includes it, in whatever zone it is given;
	// a microsecond earlier does not.
	tokyo := time.FixedZone("JST", 9*3600)
	for _, t := range []time.Time{
		first[0].Created.Add(-time.Microsecond),
		first[0].Created.In(tokyo),
		second[0].Created.Add(-time.Microsecond),
		second[0].Created,
	} {
		v, err := snapshot.AsOf(ctx, d, t)
		if err != nil {
			log.Fatal(err)
		}
		limit, err := v.Get(ctx, "limit")
		if errors.Is(err, sqldict.ErrNotFound) {
			limit = []byte("(none)")
		}
		fmt.Printf("sequence %d: limit=%s\n", v.Sequence(), limit)
	}
	_, err = snapshot.AsOf(ctx, d, time.Now().Add(time.Hour))
	fmt.Println("an hour ahead:", errors.Is(err, sqldict.ErrFuture))
	// Output:
	// sequence 0: limit=(none)
	// sequence 1: limit=10
	// sequence 1: limit=10
	// sequence 2: limit=20
	// an hour ahead: true
}

func ExampleDiff() {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite::memory:", sqldict.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	_, _ = d.Commit(ctx,
		sqldict.Write{Key: "a", Value: []byte("1")},
		sqldict.Write{Key: "b", Value: []byte("1")},
		sqldict.Write{Key: "c", Value: []byte("1")})
	before, _ := snapshot.Head(ctx, d)
	_, _ = d.Commit(ctx,
		sqldict.Write{Key: "a", Value: []byte("2"), Author: "ana", Comment: "raise a"},
		sqldict.Write{Key: "b", Delete: true},
		sqldict.Write{Key: "c", Value: []byte("1")}, // same bytes: no change
		sqldict.Write{Key: "d", Value: []byte("1")},
		sqldict.Write{Key: "tmp", Value: []byte("x")},
		sqldict.Write{Key: "tmp", Delete: true}) // written and gone: no change
	after, _ := snapshot.Head(ctx, d)

	changes, err := snapshot.Diff(ctx, before, after)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range changes {
		switch c.Kind {
		case snapshot.Added:
			fmt.Printf("%s %s = %s\n", c.Kind, c.Key, c.After.Value)
		case snapshot.Deleted:
			fmt.Printf("%s %s (was %s, version %d)\n", c.Kind, c.Key, c.Before.Value, c.Before.Version)
		case snapshot.Changed:
			fmt.Printf("%s %s: %s -> %s by %s (%s)\n", c.Kind, c.Key, c.Before.Value, c.After.Value, c.After.Author, c.After.Comment)
		}
	}
	// Output:
	// changed a: 1 -> 2 by ana (raise a)
	// deleted b (was 1, version 1)
	// added d = 1
}
