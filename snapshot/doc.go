// Package snapshot reads a sqldict journal as it was at an instant in the
// past, and tells what changed between two instants.
package snapshot
