package prune_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sqldict/sqldict/prune"
	"github.com/sqldict/sqldict/sqldict"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Contains(l.b.Bytes(), []byte(s))
}

// TestPruner_RetriesErrors: a pruner whose database fails logs the error,
// keeps retrying, and stops once the Dict is closed.
func TestPruner_RetriesErrors(t *testing.T) {
	ctx := context.Background()
	d, err := sqldict.OpenURL(ctx, "sqlite:"+filepath.Join(t.TempDir(), "p.db"), sqldict.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := d.Set(ctx, "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	var buf lockedBuffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	d.DB().Close() // every statement now fails, but the Dict is not closed
	p := prune.Start(ctx, d, prune.Policy{KeepVersions: 1}, 10*time.Millisecond, logger)
	deadline := time.Now().Add(10 * time.Second)
	for !buf.contains("will retry") {
		if time.Now().After(deadline) {
			t.Fatal("pruner logged no failure")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-p.Done():
		t.Fatal("pruner gave up on a failing database")
	case <-time.After(50 * time.Millisecond):
	}
	d.Close()
	select {
	case <-p.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("pruner still running after Close")
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
}
