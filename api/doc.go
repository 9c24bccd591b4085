// Package api is the wire format of the HTTP API of "sqldict serve"
// (docs/http.md): its routes, headers, JSON bodies and the one table
// that maps each error code to its HTTP status and to the sqldict
// sentinel error it stands for. Package server answers with it and
// package client reads with it, so the two cannot drift apart.
//
// It imports the standard library and package sqldict's core types only:
// a program that talks to a server through package client links no
// server, no database driver, no metrics and no templates.
package api
