// Command sqldict-manbench runs the Python ancestor's benchmark — the first
// 849 section-1 man pages written one Set per page, listed, read back — on
// sqldict and a plain upsert table on each engine, and on a directory of
// one file per key, and prints the medians beside the ancestor's figures.
//
//	go run ./cmd/sqldict-manbench -engines sqlite,mariadb,postgres -count 3 -bench bench/manpages.txt
//
// Server URLs come from -mysql and -postgres (defaults: the local servers,
// or SQLDICT_TEST_MYSQL_DSN / SQLDICT_TEST_POSTGRES_DSN when set). An
// unreachable engine is reported as SKIPPED; fewer than 849 pages end the
// run with a loud message and exit status 0 (nothing to measure), unless
// -strict.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sqldict/sqldict/internal/manbench"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "sqldict-manbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sqldict-manbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	engines := fs.String("engines", "sqlite,mariadb,postgres", "engines to run on, comma separated")
	mysqlURL := fs.String("mysql", cmp.Or(os.Getenv("SQLDICT_TEST_MYSQL_DSN"), "mysql://root@127.0.0.1:3306/test"), "MariaDB/MySQL URL")
	pgURL := fs.String("postgres", cmp.Or(os.Getenv("SQLDICT_TEST_POSTGRES_DSN"), "postgres://root@127.0.0.1:5432/test?sslmode=disable"), "PostgreSQL URL")
	count := fs.Int("count", 3, "runs per store; medians are printed")
	benchOut := fs.String("bench", "", "also write go test -bench lines to this file, for benchstat")
	strict := fs.Bool("strict", false, "fail, rather than skip, when fewer than 849 pages are installed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := manbench.FindMan1()
	var pages []manbench.Page
	if err == nil {
		pages, err = manbench.Load(dir, manbench.Pages)
	}
	if err != nil {
		msg := fmt.Sprintf("SKIPPING the man-page benchmark: %v", err)
		if *strict {
			return fmt.Errorf("%s", msg)
		}
		fmt.Fprintf(stdout, "\n*** %s ***\n\n", msg)
		return nil
	}
	tmp, err := os.MkdirTemp("", "sqldict-manbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	urls := map[string]string{"sqlite": "", "mariadb": *mysqlURL, "mysql": *mysqlURL, "postgres": *pgURL}
	var names []string
	for _, e := range strings.Split(*engines, ",") {
		if e = strings.TrimSpace(e); e != "" {
			if _, ok := urls[e]; !ok {
				return fmt.Errorf("unknown engine %q", e)
			}
			names = append(names, e)
		}
	}
	res := manbench.Run(ctx, manbench.Targets(names, urls, tmp), pages, *count)
	manbench.Print(stdout, res, pages, dir, *count)
	if *benchOut != "" {
		f, err := os.Create(*benchOut)
		if err != nil {
			return err
		}
		manbench.PrintBench(f, res)
		return f.Close()
	}
	return nil
}
