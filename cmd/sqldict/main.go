// Command sqldict keeps a versioned key/value journal in one SQL table: an
// SQLite file by default, MariaDB/MySQL or PostgreSQL by URL. Run
// "sqldict help" for the verbs; docs/cli.md has a walk-through.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
