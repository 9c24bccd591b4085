package main

import (
	"net"
	"testing"
)

// TestExit_Unavailable: a database or server that refuses connections ends
// a command with exitUnavailable, whatever the verb, so that scripts tell
// "try again later" from a failure.
func TestExit_Unavailable(t *testing.T) {
	port := closedPort(t)
	for _, url := range []string{
		"postgres://postgres@127.0.0.1:" + port + "/test?sslmode=disable&connect_timeout=2",
		"mysql://root@127.0.0.1:" + port + "/test",
		"http://127.0.0.1:" + port,
	} {
		t.Run(url[:5], func(t *testing.T) {
			c := newCLI(t)
			c.url = url
			c.fails(exitUnavailable, "", "", "get", "k")
			c.fails(exitUnavailable, "", "", "set", "k", "v")
		})
	}
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	return port
}
