package main

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/sqldict/sqldict/api"
	"github.com/sqldict/sqldict/sqldict"
)

// Codes of errors the HTTP API has no code for.
const (
	codeUsage = "usage" // a mistake in the command line (exit 2)
	codeError = "error" // anything else (exit 1)
)

// jsonError is what --json prints on stderr for a failed command: one line.
type jsonError struct {
	Error jsonErrorDetail `json:"error"`
}

type jsonErrorDetail struct {
	Code    string `json:"code"`              // the HTTP API's code where one applies
	Message string `json:"message"`           // the one-line message text mode prints
	Command string `json:"command,omitempty"` // the verb, when one was found
	Exit    int    `json:"exit"`              // the exit code
}

// wantsJSON reports whether the command line asks for --json (before any
// "--"), so errors found while parsing it are reported as JSON too.
func wantsJSON(args []string) bool {
	on := false
	for _, arg := range args {
		if arg == "--" {
			break
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") || name != "json" {
			continue
		}
		on = true
		if hasVal {
			on, _ = strconv.ParseBool(val)
		}
	}
	return on
}

// failJSON prints err as a jsonError and returns its exit code.
func (a *app) failJSON(verb, msg string, err error) int {
	d := jsonErrorDetail{Code: errorCode(err), Message: msg, Command: verb, Exit: exitCode(err)}
	enc := json.NewEncoder(a.stderr)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(jsonError{Error: d})
	return d.Exit
}

// errorCode is err's code: the HTTP API's (api.Codes) where one applies.
func errorCode(err error) string {
	var ue *usageError
	switch {
	case errors.Is(err, sqldict.ErrOutcomeUnknown):
		return codeError // exit 1, not unavailable's 6: it may have written
	case errors.Is(err, errPatch):
		return api.CodeConflict
	}
	if c, ok := api.Classify(err); ok {
		return c.Code
	}
	if errors.As(err, &ue) {
		return codeUsage
	}
	return codeError
}
