// Package all registers every sqldict dialect: importing it, blank, lets
// sqldict.OpenURL open sqlite:, mysql://, postgres:// and postgresql://
// URLs, and links all three drivers.
//
//	import _ "github.com/sqldict/sqldict/dialects/all"
//
// For programs that choose their database at run time (the sqldict CLI and
// sqldict serve). A program that uses one engine imports that engine's
// dialect package instead, and links no other driver. Built with
// CGO_ENABLED=0, sqlite: fails at open with sqlite.ErrNoCgo.
package all

import (
	_ "github.com/sqldict/sqldict/dialects/mysql"    // mysql://
	_ "github.com/sqldict/sqldict/dialects/postgres" // postgres://, postgresql://
	_ "github.com/sqldict/sqldict/dialects/sqlite"   // sqlite:
)
