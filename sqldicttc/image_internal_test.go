package sqldicttc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// TestImage runs the sqldict image `make image` builds (SQLDICT_TC_IMAGE,
// default sqldict:dev; built when missing): the container becomes healthy
// through its HEALTHCHECK, runs as a non-root user, serves a set and a get
// over HTTP with a token, and runs `sqldict version`.
func TestImage(t *testing.T) {
	requireDocker(t)
	image := os.Getenv("SQLDICT_TC_IMAGE")
	if image == "" {
		image = "sqldict:dev"
	}
	ensureImage(t, image)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Through a published port the Host header names the Docker host, not
	// the address the server listens on: serve accepts it with --allow-host.
	host := dockerHost(t, ctx)
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        image,
			Cmd:          []string{"serve", "--listen", ":8080", "--tokens", "/etc/sqldict/tokens", "--allow-host", host},
			ExposedPorts: []string{"8080/tcp"},
			Files: []testcontainers.ContainerFile{{
				Reader: strings.NewReader("test-token admin\n"), ContainerFilePath: "/etc/sqldict/tokens", FileMode: 0o644,
			}},
			WaitingFor: wait.ForHTTP("/healthz").WithPort("8080/tcp").WithStartupTimeout(time.Minute),
		},
		Started: true,
	})
	if c != nil {
		t.Cleanup(func() { _ = testcontainers.TerminateContainer(c) })
	}
	if err != nil {
		t.Fatalf("run %s: %v", image, err)
	}
	info, err := c.Inspect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u := info.Config.User; u == "" || u == "root" || u == "0" || strings.HasPrefix(u, "0:") {
		t.Errorf("image runs as user %q, want a non-root user", u)
	}
	base, err := c.PortEndpoint(ctx, "8080/tcp", "http")
	if err != nil {
		t.Fatal(err)
	}
	if got := imageHTTP(t, ctx, http.MethodPut, base+"/v1/sqldict/keys/greeting", "hello", http.StatusCreated); !strings.Contains(got, `"version":1`) {
		t.Errorf("PUT answered %s, want the entry at version 1", got)
	}
	if got := imageHTTP(t, ctx, http.MethodGet, base+"/v1/sqldict/keys/greeting", "", http.StatusOK); got != "hello" {
		t.Errorf("GET = %q, want hello", got)
	}
	code, out, err := c.Exec(ctx, []string{"/usr/local/bin/sqldict", "version"})
	if err != nil || code != 0 {
		t.Fatalf("sqldict version in the container: exit %d, %v", code, err)
	}
	text, _ := io.ReadAll(out)
	if !strings.Contains(string(text), "sqldict ") || !strings.Contains(string(text), "\ngo go1.") {
		t.Errorf("sqldict version printed %q", text)
	}
	waitHealthy(t, ctx, c)
}

// imageHTTP sends one request with the test's token and returns the body,
// failing unless the status is want.
func imageHTTP(t *testing.T, ctx context.Context, method, url, body string, want int) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer test-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s %s, want %d", method, url, resp.Status, b, want)
	}
	return string(b)
}

// waitHealthy waits, within ctx, for Docker to report the container healthy
// (its HEALTHCHECK ran `sqldict healthcheck` and it passed).
func waitHealthy(t *testing.T, ctx context.Context, c testcontainers.Container) {
	t.Helper()
	for {
		info, err := c.Inspect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if info.State.Health == nil {
			t.Fatal("the container has no health check")
		}
		switch info.State.Health.Status {
		case "healthy":
			return
		case "unhealthy":
			var outs []string
			for _, l := range info.State.Health.Log {
				outs = append(outs, strings.TrimSpace(l.Output))
			}
			t.Fatalf("the container is unhealthy: %q", outs)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("the container is %s after the test's deadline: %v", info.State.Health.Status, ctx.Err())
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// ensureImage builds image with `make image` when Docker does not have it.
func ensureImage(t *testing.T, image string) {
	t.Helper()
	if exec.Command("docker", "image", "inspect", image).Run() == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "make", "-C", "..", "image", "IMAGE="+image)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatal(fmt.Errorf("make image: %v\n%s", err, out))
	}
}

// dockerHost is the name under which the test reaches published ports.
func dockerHost(t *testing.T, ctx context.Context) string {
	t.Helper()
	p, err := testcontainers.NewDockerProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	host, err := p.DaemonHost(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return host
}
