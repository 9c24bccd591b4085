// Command postgres is a postgres-only sqldict program: it opens the journal at the
// URL given as its argument and prints its length. `make layers` builds it
// with CGO_ENABLED=0 and checks that it links no other engine's driver.
package main

import (
	_ "github.com/sqldict/sqldict/dialects/postgres"
	"github.com/sqldict/sqldict/internal/layercheck"
)

func main() { layercheck.Main() }
