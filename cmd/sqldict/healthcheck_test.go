package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestRun_Healthcheck(t *testing.T) {
	c := newCLI(t)
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte("ok"))
	}))
	defer srv.Close()
	if got := c.ok("", "healthcheck", "--url", srv.URL+"/"); got != srv.URL+"/healthz: ok\n" {
		t.Errorf("healthcheck printed %q", got)
	}
	status = http.StatusServiceUnavailable
	c.fails(exitUnavailable, "503", "", "healthcheck", "--url", srv.URL)
	srv.Close()
	c.fails(exitUnavailable, "not healthy", "", "healthcheck", "--url", srv.URL, "--timeout", "2s")
	c.fails(exitUsage, "--url", "", "healthcheck", "--url", "::bad")
}
