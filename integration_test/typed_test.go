package integration_test

import (
	"testing"

	"github.com/sqldict/sqldict/typed/typedtest"
)

// TestTyped_Conformance runs package typed's suite (expiry at snapshot
// points before and after it, sweeps, encrypted and compressed history) on
// every server engine.
func TestTyped_Conformance(t *testing.T) {
	forEngine(t, func(t *testing.T, e *engine) {
		typedtest.Run(t, e.Opener(""))
	})
}

// TestTyped_MySQLSessionQuirks: expiry judged against commit times read
// into the local zone from a session in another time zone.
func TestTyped_MySQLSessionQuirks(t *testing.T) {
	t.Parallel()
	mariaDB.URL(t)
	typedtest.Run(t, mariaDB.Opener("parseTime=true&loc=Local&time_zone=%27-07:00%27&sql_mode=%27%27"))
}
