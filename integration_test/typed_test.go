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
