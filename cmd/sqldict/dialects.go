package main

// Every engine: the database is chosen at run time, by URL. Built with
// CGO_ENABLED=0, sqlite: fails at open with sqlite.ErrNoCgo and the
// other schemes (and http://) work.
import _ "github.com/sqldict/sqldict/dialects/all"
