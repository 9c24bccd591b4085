package main

import (
	"net"
	"testing"
)

// TestLoopbackOnly_BoundAddress: the check trusts the address the listener
// got, not the name asked for: "localhost" bound elsewhere is refused.
func TestLoopbackOnly_BoundAddress(t *testing.T) {
	for _, c := range []struct {
		listen string
		bound  net.IP
		ok     bool
	}{
		{"localhost:0", net.ParseIP("127.0.0.1"), true},
		{"localhost:0", net.ParseIP("::1"), true},
		{"localhost:0", net.ParseIP("192.0.2.7"), false},
		{"127.0.0.1:0", net.ParseIP("0.0.0.0"), false},
		{"[::]:0", net.ParseIP("::"), false},
	} {
		err := loopbackOnly(c.listen, &net.TCPAddr{IP: c.bound, Port: 8080})
		if (err == nil) != c.ok {
			t.Errorf("--listen %s bound to %s: %v, want ok %v", c.listen, c.bound, err, c.ok)
		}
	}
}
