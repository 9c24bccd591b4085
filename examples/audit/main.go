// Command audit is a small tour of sqldict on an SQLite file: versioned
// writes with authors and comments, a key's history, and the dict read as it
// was before the last change.
//
//	go run ./examples/audit [file]
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sqldict/sqldict/sqldict"

	_ "github.com/sqldict/sqldict/dialects/sqlite" // sqlite: URLs
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "audit:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("sqldict-audit-%d.db", os.Getpid()))
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	d, err := sqldict.OpenURL(ctx, "sqlite:"+path, sqldict.Options{Table: "flags"})
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Println("journal:", path)

	say := func(format string, args ...any) { fmt.Printf("  "+format+"\n", args...) }
	commit := func(w sqldict.Write) error {
		es, err := d.Commit(ctx, w)
		if err != nil {
			return err
		}
		e := es[0]
		say("seq %d  %-14s v%d  by %-4s  %q", e.Sequence, e.Key, e.Version, e.Author, e.Comment)
		return nil
	}

	fmt.Println("writes:")
	if err := commit(sqldict.Write{Key: "checkout/new-ui", Value: []byte("off"), Author: "ana", Comment: "add flag"}); err != nil {
		return err
	}
	if err := commit(sqldict.Write{Key: "search/timeout", Value: []byte("800ms"), Author: "bo", Comment: "p99 budget"}); err != nil {
		return err
	}
	time.Sleep(10 * time.Millisecond) // so the as-of instant below falls between commits
	before := time.Now()
	time.Sleep(10 * time.Millisecond)
	if err := commit(sqldict.Write{Key: "checkout/new-ui", Value: []byte("on"), Author: "ana", Comment: "launch",
		IfVersion: sqldict.Expect(1)}); err != nil {
		return err
	}
	if err := commit(sqldict.Write{Key: "search/timeout", Delete: true, Author: "cy", Comment: "use default"}); err != nil {
		return err
	}

	fmt.Println("a stale write is refused, not lost:")
	_, err = d.Commit(ctx, sqldict.Write{Key: "checkout/new-ui", Value: []byte("off"), IfVersion: sqldict.Expect(1)})
	say("%v", err)

	fmt.Println("history of checkout/new-ui:")
	hist, err := d.History(ctx, "checkout/new-ui")
	if err != nil {
		return err
	}
	for _, e := range hist {
		say("v%d  %s  %-4s %q  %s", e.Version, e.Created.Format(time.RFC3339Nano), e.Author, e.Comment, e.Value)
	}

	fmt.Println("now:")
	if err := show(ctx, d); err != nil {
		return err
	}
	seq, err := d.SequenceAt(ctx, before)
	if err != nil {
		return err
	}
	past, err := d.Snapshot(ctx, seq)
	if err != nil {
		return err
	}
	fmt.Printf("as of %s (sequence %d):\n", before.Format(time.RFC3339Nano), seq)
	return show(ctx, past)
}

type lister interface {
	Keys(ctx context.Context) ([]string, error)
	Get(ctx context.Context, key string) ([]byte, error)
}

func show(ctx context.Context, r lister) error {
	keys, err := r.Keys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		v, err := r.Get(ctx, k)
		if err != nil {
			return err
		}
		fmt.Printf("  %-16s = %s\n", k, v)
	}
	return nil
}
