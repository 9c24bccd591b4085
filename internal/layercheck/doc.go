// Package layercheck holds the programs `make layers` builds with
// CGO_ENABLED=0 to prove a one-engine program needs neither cgo nor another
// engine's driver: postgres/ (the core with dialects/postgres) and mysql/
// (with dialects/mysql). layers.sh runs the builds and the `go list -deps`
// checks that the core links no driver and each dialect only its own.
package layercheck
