package sqldicttc

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

var (
	dockerOnce sync.Once
	dockerErr  error
)

// requireDocker ends t unless a Docker engine answers: a loud skip, or a
// failure with CI=true.
func requireDocker(t testing.TB) {
	t.Helper()
	dockerOnce.Do(func() { dockerErr = pingDocker() })
	if dockerErr == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("sqldicttc: no Docker engine answers (CI=true, so this fails instead of skipping): %v", dockerErr)
	}
	t.Skipf("sqldicttc: SKIPPED, no Docker engine answers: %v", dockerErr)
}

// pingDocker asks the engine testcontainers-go would use for its version,
// within a few seconds even when the socket accepts and never answers.
func pingDocker() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		cli, err := testcontainers.NewDockerClientWithOpts(ctx)
		if err == nil {
			_, err = cli.Ping(ctx, client.PingOptions{})
			cli.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return errors.New("the Docker engine did not answer within 10s")
	}
}
