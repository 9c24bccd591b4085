package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/sqldict/sqldict/sqldict"
)

// errUnhealthy is a server that did not answer 200 in time: exit code 6.
var errUnhealthy = fmt.Errorf("server not healthy: %w", sqldict.ErrUnavailable)

var cmdHealthcheck = &command{
	name:    "healthcheck",
	args:    "[--url URL] [--timeout D]",
	summary: "exit 0 when a sqldict server's /healthz answers 200 (for container health checks)",
	help: `
Asks GET URL/healthz and exits 0 when the server answers 200 within the
timeout, 6 (unavailable) otherwise. It needs no token and no shell or curl,
so a container image built FROM scratch can use it:

  HEALTHCHECK CMD ["/usr/local/bin/sqldict", "healthcheck"]

Examples:
  sqldict healthcheck
  sqldict healthcheck --url http://127.0.0.1:9090 --timeout 1s`,
	run: func(a *app, c *command, args []string) error {
		fs := a.flagSet(c.name, c.args)
		base := fs.String("url", "http://127.0.0.1:8080", "the server's base `URL`")
		timeout := fs.Duration("timeout", 3*time.Second, "give up after `D`")
		if _, err := a.parse(c, fs, args, 0, 0); err != nil {
			return err
		}
		return a.healthcheck(strings.TrimSuffix(*base, "/")+"/healthz", *timeout)
	},
}

func (a *app) healthcheck(url string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(a.ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return usagef("--url: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errUnhealthy, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered %s: %s", errUnhealthy, url, resp.Status, strings.TrimSpace(string(body)))
	}
	_, err = fmt.Fprintf(a.stdout, "%s: %s\n", url, strings.TrimSpace(string(body)))
	return err
}
